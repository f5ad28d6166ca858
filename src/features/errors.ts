// Every error of the feature pipeline, as data: a code, the problem in words,
// and where it is (row index, column name) so that the caller can render its
// own location (`row N, column NAME` for CSV, a JSON Pointer for JSON).

export const featureErrorCodes = {
  BAD_HEADER: "the column names are not usable (empty or repeated)",
  BAD_RECORD: "a row is not an object, or has the wrong number of cells",
  BAD_CELL: "a cell holds a value of no supported kind (object, array, infinite number)",
  TOO_MANY_ROWS: "more rows than the builder's maxRows",
  TOO_MANY_COLUMNS: "more columns than the builder's maxColumns",
  TYPE_MISMATCH: "a value cannot be read as the column's type (override or fitted type)",
  UNKNOWN_COLUMN: "a column named in the options, or needed by a pipeline, is not in the table",
  MISSING_VALUE: "a missing value where the column's strategy cannot impute one",
  BAD_OPTION: "an option is out of its bounds or does not fit the column",
  NO_DATA: "nothing left to fit on (no rows, no features, one class)",
  CORRUPT_TABLE: "a stored table's bytes do not decode",
  CORRUPT_PIPELINE: "a stored pipeline's JSON does not decode",
} as const;

export type FeatureErrorCode = keyof typeof featureErrorCodes;

export interface FeatureErrorLocation {
  /** Index of the row (0-based: the first data row of a CSV, or the first element of a JSON array, is 0). */
  row?: number;
  column?: string;
}

export class FeatureError extends Error {
  readonly code: FeatureErrorCode;
  /** The problem alone, without its location: for a JSON Pointer error whose path says where. */
  readonly problem: string;
  readonly row?: number;
  readonly column?: string;

  constructor(code: FeatureErrorCode, problem: string, where: FeatureErrorLocation = {}) {
    super(`${locate(where)}${problem}`);
    this.name = "FeatureError";
    this.code = code;
    this.problem = problem;
    this.row = where.row;
    this.column = where.column;
  }
}

/** `row 3, column Island: ` with rows counted from 1, as the CSV upload counts data rows. */
function locate({ row, column }: FeatureErrorLocation): string {
  const parts: string[] = [];
  if (row !== undefined) parts.push(`row ${row + 1}`);
  if (column !== undefined) parts.push(`column ${column}`);
  return parts.length > 0 ? `${parts.join(", ")}: ` : "";
}

/** A value for an error message: JSON-quoted, cut at 40 characters. */
export function quoteValue(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}
