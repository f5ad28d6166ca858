// Building blocks of the CSV upload (csv-dataset.ts): typed arrays that grow
// without holding rows as JS values, the numeric cell grammar, and the label
// column, whose kind (class indices, class names or regression targets) is
// only known once the whole file has been read.

/** The largest number of classes a dataset may have (as `classNames` in the JSON upload). */
export const MAX_CLASSES = 10_000;
/** The most features (values per sample, columns of a CSV) a dataset may have. */
export const MAX_FEATURES = 65_536;
/** The longest class name (as in the JSON upload). */
export const MAX_NAME_LENGTH = 200;

/** A decimal number: `12`, `-3.5`, `.5`, `1.`, `+6.02e23`. No hex, no `Infinity`, no `NaN`, no spaces. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const MISSING_MARKERS = /^(?:na|n\/a|nan|null|none|\?|-)$/i;

export function isDecimal(cell: string): boolean {
  return DECIMAL.test(cell);
}

export type CellValue = { ok: true; value: number } | { ok: false; tooLarge: boolean; message: string };

/** Parses one non-empty cell as a float32-finite number (the value keeps double precision). */
export function parseNumber(cell: string): CellValue {
  if (!DECIMAL.test(cell)) {
    const hint = MISSING_MARKERS.test(cell) ? " (missing values are not supported: fill or drop them)" : "";
    return { ok: false, tooLarge: false, message: `${quote(cell)} is not a number${hint}` };
  }
  const value = Number(cell);
  if (!Number.isFinite(Math.fround(value))) return { ok: false, tooLarge: true, message: `${quote(cell)} does not fit in float32` };
  return { ok: true, value };
}

/** A cell for an error message: JSON-quoted, cut at 40 characters. */
export function quote(cell: string): string {
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}...` : cell);
}

/** A Float32Array that doubles its capacity as it fills. */
export class GrowableFloat32 {
  data: Float32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Float32Array(capacity);
  }

  /** Makes room for `count` more values; the caller then writes data[length..length+count) and adds count to length. */
  reserve(count: number): void {
    const needed = this.length + count;
    if (needed <= this.data.length) return;
    const grown = new Float32Array(Math.max(needed, this.data.length * 2));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }

  push(value: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = value;
  }

  /** The values, without copying: a view of the first `length` elements. */
  view(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

/** An Int32Array that doubles its capacity as it fills. */
export class GrowableInt32 {
  data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
}

export type Task = "classification" | "regression";

export interface LabelProblem {
  message: string;
  /** A fatal problem stops reading: nothing later in the file can fix it. */
  fatal?: boolean;
}

export interface EncodedLabelColumn {
  task: Task;
  classNames: string[];
  /** One value per row: a class index, or a regression target. */
  values: Float32Array;
}

/**
 * The label column, read one cell at a time. It keeps two encodings side by
 * side, 8 bytes a row: the float32 value of numeric labels, and the id of each
 * distinct label string (while there are at most MAX_CLASSES of them), so that
 * the kind of the column can be decided at the end:
 * - all numeric, non-negative integers below MAX_CLASSES: class indices, classNames "0".."k-1";
 * - all numeric otherwise: regression targets, no classes;
 * - any label not a number: class names, sorted (the same data always gives the same indices).
 * `task` forces one or the other: regression rejects labels that are not
 * numbers; classification makes numbers that are not class indices class names.
 */
export class LabelColumn {
  private readonly numbers = new GrowableFloat32();
  private ids: GrowableInt32 | null = new GrowableInt32();
  private classes: Map<string, number> | null = new Map();
  private allNumeric = true;
  private allClassIndices = true;
  private maxValue = -1;
  private longName: { row: number; name: string } | null = null;

  constructor(
    private readonly column: string,
    private readonly task?: Task,
  ) {
    if (task === "regression") {
      this.ids = null;
      this.classes = null;
    }
  }

  /** Adds the label of data row `row` (a non-empty cell); returns what is wrong with it, if anything. */
  add(cell: string, row: number): LabelProblem | undefined {
    const parsed = parseNumber(cell);
    if (parsed.ok) {
      this.numbers.push(parsed.value);
      if (Number.isInteger(parsed.value) && parsed.value >= 0) this.maxValue = Math.max(this.maxValue, parsed.value);
      else this.allClassIndices = false;
    } else {
      if (this.task === "regression" || parsed.tooLarge) {
        return { message: this.task === "regression" ? `${parsed.message}; a regression label must be a number` : parsed.message };
      }
      this.allNumeric = false;
      this.numbers.push(Number.NaN);
    }

    if (this.classes && this.ids) {
      let id = this.classes.get(cell);
      if (id === undefined) {
        if (this.classes.size < MAX_CLASSES) {
          id = this.classes.size;
          this.classes.set(cell, id);
          if (cell.length > MAX_NAME_LENGTH && !this.longName) this.longName = { row, name: cell };
        } else {
          // Too many distinct values for classes: from now on only numbers (regression) can work.
          this.classes = null;
          this.ids = null;
          if (this.task === "classification" || !this.allNumeric) {
            return { message: `column ${this.column} has more than ${MAX_CLASSES} distinct labels; a dataset has at most ${MAX_CLASSES} classes`, fatal: true };
          }
        }
      }
      this.ids?.push(id ?? -1);
    } else if (!parsed.ok && this.task !== "regression") {
      return {
        message: `${quote(cell)} is not a number, and the ${MAX_CLASSES}+ distinct numbers before it are too many to be class names`,
        fatal: true,
      };
    }
    return undefined;
  }

  /** Decides the column's kind; returns a problem (with the row it concerns) instead when there is one. */
  finish(): EncodedLabelColumn | { row: number; message: string } {
    const rows = this.numbers.length;
    const values = this.numbers.view();
    const classIndices = this.allNumeric && this.allClassIndices && this.maxValue < MAX_CLASSES;
    if (this.task === "regression" || (this.allNumeric && !classIndices && this.task !== "classification")) {
      return { task: "regression", classNames: [], values };
    }
    if (classIndices) {
      return { task: "classification", classNames: Array.from({ length: this.maxValue + 1 }, (_, i) => String(i)), values };
    }
    // Class names. (classes is set here: add() stops the file when it is not.)
    if (this.longName) {
      return { row: this.longName.row, message: `class name ${quote(this.longName.name)} is longer than ${MAX_NAME_LENGTH} characters` };
    }
    const names = [...this.classes!.keys()];
    const classNames = [...names].sort();
    const rank = new Int32Array(names.length);
    classNames.forEach((name, index) => (rank[this.classes!.get(name)!] = index));
    const ids = this.ids!.data;
    for (let i = 0; i < rows; i++) values[i] = rank[ids[i]];
    return { task: "classification", classNames, values };
  }
}
