// Column types at upload: what each column looks like to the model, with the
// statistics a user needs to agree or to override it.

import { groupedNumber, isDecimal } from "./cells.js";
import { looksSlashed } from "./dates.js";
import { DICTIONARY_CAP } from "./column-builder.js";
import { readCategories, readDates, readNumbers, readText } from "./column-reader.js";
import {
  categoryStats,
  countCodes,
  dateStats,
  distinctNumbers,
  looksLikeIntegerId,
  numberStats,
  type CategoryStats,
  type DateStats,
  type NumberStats,
  type TextStats,
} from "./column-statistics.js";
import { FeatureError, quoteValue } from "./errors.js";
import { isFeatureType, type FeatureType } from "./feature-types.js";
import { requireColumn, type Column, type ColumnKind, type StringColumn, type Table } from "./table.js";
import { forEachWordHash } from "./text-tokens.js";

export interface InferenceOptions {
  /** Types the user chose, by column name; each is checked against every value (TYPE_MISMATCH names a row that does not fit). */
  overrides?: Record<string, FeatureType>;
  /** Columns to leave out (as the type `ignore`). */
  ignore?: readonly string[];
  /** The label column: inferred as number (regression), category or binary (classification), never ignored. */
  label?: string;
  /** The most distinct values an inferred category may have; past it a string column is text or ignored. @defaultValue 1000 */
  maxCategoryValues?: number;
  /** Values listed per category column in the report. @defaultValue 50 */
  topValues?: number;
}

export const DEFAULT_MAX_CATEGORY_VALUES = 1000;
/** A numeric column of whole numbers with at most this many distinct values is a category. */
export const NUMERIC_CATEGORY_MAX = 10;

interface ReportBase {
  name: string;
  /** How the table stores the column. */
  storage: ColumnKind;
  /** Non-missing values. */
  count: number;
  missing: number;
  /** Of the missing cells, those that held a missing marker ("NA", "None"), by text as written. */
  missingAs?: Record<string, number>;
  /** Why the column has its type: "inferred: ...", "override", "ignored by request". */
  reason: string;
  label?: true;
}

export type ColumnReport =
  | (ReportBase & { type: "number"; stats: NumberStats })
  | (ReportBase & { type: "category" | "binary"; stats: CategoryStats })
  | (ReportBase & { type: "date" | "datetime"; stats: DateStats })
  | (ReportBase & { type: "text"; stats: TextStats })
  | (ReportBase & { type: "ignore"; stats: null });

/**
 * One report per column of the table, in table order. Work is linear in the
 * table's cells; memory is bounded per column (see column-statistics.ts).
 */
export function inferColumnTypes(table: Table, options: InferenceOptions = {}): ColumnReport[] {
  const overrides = options.overrides ?? {};
  const ignore = new Set(options.ignore ?? []);
  for (const name of [...Object.keys(overrides), ...ignore, ...(options.label === undefined ? [] : [options.label])]) {
    requireColumn(table, name);
  }
  for (const [name, type] of Object.entries(overrides)) {
    if (!isFeatureType(type)) throw new FeatureError("BAD_OPTION", `${quoteValue(type)} is not a column type (number, category, binary, date, datetime, text, ignore)`, { column: name });
  }
  if (options.label !== undefined && (ignore.has(options.label) || overrides[options.label] === "ignore")) {
    throw new FeatureError("BAD_OPTION", "the label column cannot be ignored", { column: options.label });
  }
  return table.columns.map((column) => {
    const isLabel = column.name === options.label;
    const base: ReportBase = { name: column.name, storage: column.kind, count: table.numRows - column.missing, missing: column.missing, ...(column.missingAs ? { missingAs: column.missingAs } : {}), reason: "", ...(isLabel ? { label: true as const } : {}) };
    const override = overrides[column.name];
    if (ignore.has(column.name) || override === "ignore") return { ...base, type: "ignore", stats: null, reason: "ignored by request" };
    if (override !== undefined) return describe(column, override, { ...base, reason: "override" }, options);
    const [type, reason] = isLabel ? inferLabelType(column) : inferType(column, base.count, options);
    return describe(column, type, { ...base, reason: `inferred: ${reason}` }, options);
  });
}

/** The report of `column` read as `type`; reading checks that every value fits. */
function describe(column: Column, type: FeatureType, base: ReportBase, options: InferenceOptions): ColumnReport {
  const top = options.topValues ?? 50;
  switch (type) {
    case "ignore":
      return { ...base, type, stats: null };
    case "number":
      return { ...base, type, stats: numberStats(readNumbers(column), null) ?? noValues(column) };
    case "category":
    case "binary": {
      const { codes, values } = readCategories(column);
      const counts = countCodes(codes, values.length, null);
      if (type === "binary" && values.length > 2) {
        const third = codes.findIndex((code) => code === 2);
        throw new FeatureError("TYPE_MISMATCH", `${quoteValue(values[2])} is a third value; a binary column has at most two (${values.slice(0, 2).join(", ")})`, { row: third, column: column.name });
      }
      return { ...base, type, stats: categoryStats(counts, (code) => values[code], top) };
    }
    case "date":
    case "datetime": {
      const { values, hasTime } = readDates(column);
      return { ...base, type, stats: dateStats(values, hasTime || type === "datetime", null) ?? noValues(column) };
    }
    case "text":
      return { ...base, type, stats: textStats(readText(column)) };
  }
}

function inferType(column: Column, count: number, options: InferenceOptions): [FeatureType, string] {
  if (count === 0) return ["ignore", "no values"];
  switch (column.kind) {
    case "boolean":
      return distinctOf(column) === 1 ? ["ignore", "one value"] : ["binary", "booleans"];
    case "date": {
      const distinct = distinctNumbers(column.values, null, 1);
      if (distinct === 1) return ["ignore", "one value"];
      return column.hasTime ? ["datetime", "dates with a time of day"] : ["date", "dates"];
    }
    case "number": {
      const distinct = distinctNumbers(column.values, null, NUMERIC_CATEGORY_MAX);
      if (distinct === 1) return ["ignore", "one value"];
      if (distinct === 2) return ["binary", "two values"];
      const integer = column.values.every((v) => Number.isNaN(v) || Number.isInteger(v));
      if (integer && distinct <= NUMERIC_CATEGORY_MAX && distinct * 2 <= count) return ["category", `whole numbers with ${distinct} distinct values`];
      if (looksLikeIntegerId(column.values)) return ["ignore", "unique whole numbers in sequence: a row number or an id"];
      return ["number", "numbers"];
    }
    case "string": {
      const distinct = column.deduplicated ? column.vocabulary.size : Infinity;
      if (distinct === 1) return ["ignore", "one value"];
      if (distinct === 2) return ["binary", "two values"];
      if (column.deduplicated && allGrouped(column)) return ["number", "numbers with thousands separators (2,931)"];
      if (column.deduplicated && allSlashed(column)) {
        const [type, reason] = inferStringType(column, count, distinct, options);
        return [type, `${reason}; these look like dates (N/N/YYYY): upload with ?dateOrder=mdy (month first) or dmy (day first) to read them as dates`];
      }
      return inferStringType(column, count, distinct, options);
    }
  }
}

/** A string column of more than two values that are not numbers: a category, text, or an id. */
function inferStringType(column: StringColumn, count: number, distinct: number, options: InferenceOptions): [FeatureType, string] {
  const maxCategories = options.maxCategoryValues ?? DEFAULT_MAX_CATEGORY_VALUES;
  if (distinct <= maxCategories && distinct * 2 <= count) return ["category", `${distinct} distinct values`];
  const stats = textStats(column);
  const many = Number.isFinite(distinct) ? `${distinct} distinct values in ${count}` : "more distinct values than can be categories";
  if (stats.meanWords >= 2) return ["text", `${many}, ${stats.meanWords.toFixed(1)} words on average`];
  return ["ignore", `${many}, mostly single words: an id or a code`];
}

function inferLabelType(column: Column): [FeatureType, string] {
  switch (column.kind) {
    case "number": {
      const distinct = distinctNumbers(column.values, null, NUMERIC_CATEGORY_MAX);
      if (distinct === 2) return ["binary", "label with two values"];
      const integer = column.values.every((v) => Number.isNaN(v) || Number.isInteger(v));
      if (integer && distinct <= NUMERIC_CATEGORY_MAX) return ["category", `label of whole numbers with ${distinct} distinct values`];
      return ["number", "numeric label"];
    }
    case "date":
      return [column.hasTime ? "datetime" : "date", "dates"];
    default:
      return distinctOf(column) === 2 ? ["binary", "label with two values"] : ["category", "label of class names"];
  }
}

function distinctOf(column: Column): number {
  if (column.kind === "boolean") return new Set(column.values.filter((v) => v < 2)).size;
  if (column.kind === "string") return column.deduplicated ? column.vocabulary.size : Infinity;
  return distinctNumbers(column.values, null, Infinity);
}

/** Lengths and words of the strings, weighted by how many rows hold each. */
export function textStats(column: StringColumn): TextStats {
  const { vocabulary } = column;
  const counts = countCodes(column.codes, vocabulary.size, null);
  let count = 0;
  let bytes = 0;
  let words = 0;
  let maxLength = 0;
  for (let code = 0; code < vocabulary.size; code++) {
    if (counts[code] === 0) continue;
    const entry = vocabulary.bytesOf(code);
    count += counts[code];
    bytes += entry.length * counts[code];
    words += forEachWordHash(entry) * counts[code];
    maxLength = Math.max(maxLength, entry.length);
  }
  return { count, distinct: column.deduplicated ? vocabulary.size : DICTIONARY_CAP + 1, distinctCapped: !column.deduplicated, meanLength: count && bytes / count, maxLength, meanWords: count && words / count };
}

function noValues(column: Column): never {
  throw new FeatureError("TYPE_MISMATCH", "the column has no values to read", { column: column.name });
}

/** Every value is a number, some with thousands separators: the cells that had none were stored as numbers, these as text. */
function allGrouped(column: StringColumn): boolean {
  let grouped = false;
  for (let code = 0; code < column.vocabulary.size; code++) {
    const text = column.vocabulary.get(code);
    if (Number.isFinite(groupedNumber(text))) grouped = true;
    else if (!isDecimal(text)) return false;
  }
  return grouped;
}

/** Every value is shaped as N/N/YYYY: dates whose order the upload did not say. */
function allSlashed(column: StringColumn): boolean {
  for (let code = 0; code < column.vocabulary.size; code++) if (!looksSlashed(column.vocabulary.get(code))) return false;
  return column.vocabulary.size > 0;
}
