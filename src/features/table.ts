// A table held by columns, each in a store of its own kind, so that a large
// upload stays a few typed arrays per column. Row i of the table is index i
// of every column's arrays.

import { formatDate } from "./dates.js";
import { FeatureError, quoteValue } from "./errors.js";
import type { Vocabulary } from "./vocabulary.js";

/** Booleans: 0 false, 1 true, BOOLEAN_MISSING missing. */
export const BOOLEAN_MISSING = 2;
/** String codes: an index into the vocabulary, or STRING_MISSING. */
export const STRING_MISSING = -1;

interface ColumnBase {
  name: string;
  /** How many of the table's rows have no value in this column. */
  missing: number;
  /** Of them, the cells that held a missing marker ("NA", "None", ...), by the text as written; absent when none did. Not kept by the table codec. */
  missingAs?: Record<string, number>;
}

/** Numbers, NaN where missing. A column with no value at all is a number column of NaN. */
export interface NumberColumn extends ColumnBase {
  kind: "number";
  values: Float64Array;
}

/**
 * Strings, dictionary-encoded: codes[row] indexes the vocabulary. While the
 * column has at most DICTIONARY_CAP distinct values each value has one code
 * (`deduplicated`); past it, values are appended as they come, so a column of
 * unique strings costs its bytes and 8 bytes a row, and never a hash map.
 */
export interface StringColumn extends ColumnBase {
  kind: "string";
  codes: Int32Array;
  vocabulary: Vocabulary;
  deduplicated: boolean;
}

export interface BooleanColumn extends ColumnBase {
  kind: "boolean";
  values: Uint8Array;
}

/** Instants as milliseconds since the epoch (UTC), NaN where missing. */
export interface DateColumn extends ColumnBase {
  kind: "date";
  values: Float64Array;
  /** Some value had a time of day: the column is a datetime. */
  hasTime: boolean;
}

export type Column = NumberColumn | StringColumn | BooleanColumn | DateColumn;
export type ColumnKind = Column["kind"];

export interface Table {
  numRows: number;
  columns: Column[];
}

export function findColumn(table: Table, name: string): Column | undefined {
  return table.columns.find((column) => column.name === name);
}

/** The column named `name`, or UNKNOWN_COLUMN naming it and the table's columns. */
export function requireColumn(table: Table, name: string): Column {
  const column = findColumn(table, name);
  if (column) return column;
  const names = table.columns.slice(0, 20).map((c) => c.name).join(", ");
  const more = table.columns.length > 20 ? `, and ${table.columns.length - 20} more` : "";
  throw new FeatureError("UNKNOWN_COLUMN", `there is no column ${quoteValue(name)}; the columns are ${names}${more}`, { column: name });
}

export function isMissing(column: Column, row: number): boolean {
  switch (column.kind) {
    case "number":
    case "date":
      return Number.isNaN(column.values[row]);
    case "string":
      return column.codes[row] === STRING_MISSING;
    case "boolean":
      return column.values[row] === BOOLEAN_MISSING;
  }
}

/** One cell as a JS value (dates as their canonical text), null when missing: for display and tests, not for bulk work. */
export function cellValue(column: Column, row: number): number | string | boolean | null {
  if (isMissing(column, row)) return null;
  switch (column.kind) {
    case "number":
      return column.values[row];
    case "date":
      return formatDate(column.values[row], column.hasTime);
    case "string":
      return column.vocabulary.get(column.codes[row]);
    case "boolean":
      return column.values[row] === 1;
  }
}
