// A column read as a feature type, whatever its store: the one place that
// decides, for training tables and predict-time records alike, whether a
// value can be a number, a category, a date or text. Each reader throws a
// TYPE_MISMATCH naming the first row whose value cannot be read so.

import { groupedNumber, isDecimal } from "./cells.js";
import { DICTIONARY_CAP } from "./column-builder.js";
import { formatDate, parseDate } from "./dates.js";
import { FeatureError, quoteValue } from "./errors.js";
import { STRING_MISSING, cellValue, isMissing, type Column, type StringColumn } from "./table.js";
import { Vocabulary } from "./vocabulary.js";

/** Numbers per row, NaN where missing. A number column's own array (not a copy): do not write to it. */
export function readNumbers(column: Column): Float64Array {
  switch (column.kind) {
    case "number":
      return column.values;
    case "string": {
      const byCode = new Float64Array(column.vocabulary.size);
      for (let code = 0; code < byCode.length; code++) {
        const text = column.vocabulary.get(code);
        byCode[code] = isDecimal(text) ? Number(text) : groupedNumber(text);
        if (!Number.isFinite(byCode[code])) mismatch(column, firstRowWithCode(column, code), `${quoteValue(text)} is not a number`);
      }
      return mapCodes(column.codes, byCode);
    }
    default:
      return mismatch(column, firstValueRow(column), `${quoteValue(cellValue(column, firstValueRow(column)))} is a ${column.kind === "date" ? "date" : "boolean"}, not a number`);
  }
}

export interface CategoryCodes {
  /** Per row, an index into `values`, or -1 where missing. */
  codes: Int32Array;
  /** Each distinct value's canonical text (see categoryKey). */
  values: string[];
}

/** Distinct values per row, at most `cap` of them (the value past the cap is an error naming its row). */
export function readCategories(column: Column, cap = DICTIONARY_CAP): CategoryCodes {
  if (column.kind === "string" && column.deduplicated && column.vocabulary.size <= cap) {
    return { codes: column.codes, values: column.vocabulary.toArray() };
  }
  if (column.kind === "boolean") {
    const codes = new Int32Array(column.values.length);
    column.values.forEach((value, row) => (codes[row] = value > 1 ? STRING_MISSING : value));
    return { codes, values: ["false", "true"] };
  }
  // Numbers, dates, or strings past the dictionary cap: deduplicate anew, by canonical text.
  const codes = new Int32Array(column.kind === "string" ? column.codes.length : column.values.length);
  const index = new Map<string, number>();
  const values: string[] = [];
  for (let row = 0; row < codes.length; row++) {
    if (isMissing(column, row)) {
      codes[row] = STRING_MISSING;
      continue;
    }
    const key = categoryKey(column, row);
    let code = index.get(key);
    if (code === undefined) {
      if (values.length >= cap) mismatch(column, row, `the column has more than ${cap} distinct values, too many for a category`);
      code = values.length;
      values.push(key);
      index.set(key, code);
    }
    codes[row] = code;
  }
  return { codes, values };
}

/** The text a category knows a value by: numbers as String(n), booleans "true"/"false", dates canonical (formatDate). */
export function categoryKey(column: Column, row: number): string {
  switch (column.kind) {
    case "number":
      return String(column.values[row]);
    case "date":
      return formatDate(column.values[row], column.hasTime);
    case "string":
      return column.vocabulary.get(column.codes[row]);
    case "boolean":
      return column.values[row] === 1 ? "true" : "false";
  }
}

export interface DateValues {
  /** Per row, milliseconds since the epoch, NaN where missing. */
  values: Float64Array;
  hasTime: boolean;
}

export function readDates(column: Column): DateValues {
  if (column.kind === "date") return { values: column.values, hasTime: column.hasTime };
  if (column.kind !== "string") {
    if (column.missing === column.values.length) return { values: new Float64Array(column.values.length).fill(Number.NaN), hasTime: false };
    const row = firstValueRow(column);
    return mismatch(column, row, `${quoteValue(cellValue(column, row))} is not a date (dates are text: YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY or ISO 8601)`);
  }
  const byCode = new Float64Array(column.vocabulary.size);
  let hasTime = false;
  for (let code = 0; code < byCode.length; code++) {
    const text = column.vocabulary.get(code);
    const date = parseDate(text);
    if (!date) mismatch(column, firstRowWithCode(column, code), `${quoteValue(text)} is not a date (YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY or ISO 8601)`);
    byCode[code] = date.epochMs;
    hasTime ||= date.hasTime;
  }
  return { values: mapCodes(column.codes, byCode), hasTime };
}

/** The column as strings: a string column as it is; numbers and booleans by their text (categoryKey), so "5" at predict time is still text. */
export function readText(column: Column): StringColumn {
  if (column.kind === "string") return column;
  if (column.kind === "date" && column.missing < column.values.length) {
    const row = firstValueRow(column);
    return mismatch(column, row, `${quoteValue(cellValue(column, row))} is a date, not text`);
  }
  const { codes, values } = readCategories(column, Infinity);
  return { kind: "string", name: column.name, missing: column.missing, codes, vocabulary: Vocabulary.of(values), deduplicated: true };
}

function mapCodes(codes: Int32Array, byCode: Float64Array): Float64Array {
  const values = new Float64Array(codes.length);
  for (let row = 0; row < codes.length; row++) values[row] = codes[row] === STRING_MISSING ? Number.NaN : byCode[codes[row]];
  return values;
}

function firstRowWithCode(column: StringColumn, code: number): number {
  return column.codes.indexOf(code);
}

function firstValueRow(column: Column): number {
  const rows = column.kind === "string" ? column.codes.length : column.values.length;
  for (let row = 0; row < rows; row++) if (!isMissing(column, row)) return row;
  return 0;
}

function mismatch(column: Column, row: number, problem: string): never {
  throw new FeatureError("TYPE_MISMATCH", problem, { row, column: column.name });
}
