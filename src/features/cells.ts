// The cell grammar shared by uploads (CSV text, JSON values) and predict-time
// records: what is missing, what is a number. The same grammar on both sides
// is what makes a value at predict time mean what it meant in training.

/** A decimal number: `12`, `-3.5`, `.5`, `1.`, `+6.02e23`. No hex, no `Infinity`, no `NaN`, no spaces. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

import type { DateOrder } from "./dates.js";

/**
 * How a table's cells were read at upload where it differs from the
 * defaults; a pipeline fitted on the table keeps it, so that rows to predict
 * are read the same way.
 */
export interface CellReading {
  /** Cells that mean "no value" (besides empty ones). Absent: DEFAULT_MISSING_MARKERS. */
  missingMarkers?: string[];
  /** `,`: numbers were written with a decimal comma ("12,5" is 12.5; decimals with a point stay numbers). Absent: ".". */
  decimal?: ",";
  /** How N/N/YYYY dates read. Absent: they stay text. */
  dateOrder?: DateOrder;
}

/** Only the fields a reading sets (to spread into a pipeline without undefined keys). */
export function cellReading({ missingMarkers, decimal, dateOrder }: { missingMarkers?: string[] | null; decimal?: "." | "," | null; dateOrder?: DateOrder | null }): CellReading {
  return { ...(missingMarkers ? { missingMarkers } : {}), ...(decimal === "," ? { decimal } : {}), ...(dateOrder ? { dateOrder } : {}) };
}

/** Cells that mean "no value" (compared trimmed and lower-cased), as pandas and R write them. */
export const DEFAULT_MISSING_MARKERS: readonly string[] = ["", "na", "n/a", "nan", "null", "none", "?", "-", "#n/a", "<na>"];

export function isDecimal(text: string): boolean {
  return DECIMAL.test(text);
}

/** A number with commas between groups of three digits, as spreadsheets write them: `2,931`, `-1,234,567.5`. */
const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/** The number a text with thousands separators holds (`2,931` is 2931), or NaN. Read where a column is numbers (column-reader.ts), never cell by cell at upload. */
export function groupedNumber(text: string): number {
  return GROUPED.test(text) ? Number(text.replaceAll(",", "")) : Number.NaN;
}

/** A decimal number written with a decimal comma, as most of Europe does: `12,5`, `-0,25`, `,5`. Thousands separators are not read. */
const COMMA_DECIMAL = /^[+-]?(?:\d+,\d*|,\d+)(?:[eE][+-]?\d+)?$/;

/** The number a cell holds with a decimal comma (`12,5` is 12.5), or NaN. */
export function commaDecimal(text: string): number {
  return COMMA_DECIMAL.test(text) ? Number(text.replace(",", ".")) : Number.NaN;
}

/** Recognises missing markers quickly: most cells are longer than any marker. */
export class MissingMarkers {
  private readonly markers: Set<string>;
  private readonly longest: number;

  constructor(markers: readonly string[] = DEFAULT_MISSING_MARKERS) {
    this.markers = new Set(markers.map((marker) => marker.trim().toLowerCase()));
    this.longest = Math.max(0, ...[...this.markers].map((marker) => marker.length));
  }

  /** `text` is already trimmed. */
  has(text: string): boolean {
    return text.length === 0 || (text.length <= this.longest && this.markers.has(text.toLowerCase()));
  }
}
