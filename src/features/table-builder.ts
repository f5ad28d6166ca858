import { commaDecimal, isDecimal, MissingMarkers, type CellReading } from "./cells.js";
import { ColumnBuilder } from "./column-builder.js";
import { FeatureError, quoteValue } from "./errors.js";
import type { Table } from "./table.js";

export interface TableBuilderOptions extends CellReading {
  /** The columns, in order (a CSV header); required by addRow. Records may add more (see unknownKeys). */
  columns?: readonly string[];
  /** What addRecord does with a key that is not a column yet. @defaultValue "addColumn" */
  unknownKeys?: "addColumn" | "ignore";
  /** @defaultValue no limit */
  maxRows?: number;
  /** @defaultValue 10_000 */
  maxColumns?: number;
}

const DEFAULT_MAX_COLUMNS = 10_000;

/**
 * Builds a Table from cells given row by row, as a CSV stream (addRow: the
 * cells of one record, in header order) or a JSON array of records
 * (addRecord: one object; a key left out is a missing value) gives them.
 *
 * Cells: null, undefined, NaN and missing markers are missing; strings are
 * trimmed; a decimal string ("3.5") is a number; booleans stay booleans; any
 * other string is a string. Objects, arrays and infinite numbers are errors
 * naming the row and column.
 */
export class TableBuilder {
  private readonly columns: ColumnBuilder[] = [];
  private readonly byName = new Map<string, ColumnBuilder>();
  private readonly markers: MissingMarkers;
  private readonly maxColumns: number;
  private rows = 0;

  constructor(private readonly options: TableBuilderOptions = {}) {
    this.markers = new MissingMarkers(options.missingMarkers);
    this.maxColumns = options.maxColumns ?? DEFAULT_MAX_COLUMNS;
    for (const name of options.columns ?? []) this.addColumn(name);
  }

  get numRows(): number {
    return this.rows;
  }

  addRow(cells: ArrayLike<unknown>): void {
    const row = this.nextRow();
    if (cells.length !== this.columns.length) {
      throw new FeatureError("BAD_RECORD", `the row has ${cells.length} cells; the header has ${this.columns.length} columns`, { row });
    }
    for (let j = 0; j < cells.length; j++) this.pushCell(this.columns[j], cells[j], row);
    this.rows++;
  }

  addRecord(record: unknown): void {
    const row = this.nextRow();
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      throw new FeatureError("BAD_RECORD", `a row must be an object of {column: value}, not ${Array.isArray(record) ? "an array" : record === null ? "null" : typeof record}`, { row });
    }
    for (const key of Object.keys(record)) {
      let column = this.byName.get(key);
      if (column === undefined) {
        if (this.options.unknownKeys === "ignore") continue;
        column = this.addColumn(key, row);
      }
      column.padTo(row);
      this.pushCell(column, (record as Record<string, unknown>)[key], row);
    }
    this.rows++;
  }

  /** The table; the builder is spent afterwards (its columns' stores are handed over). */
  finish(): Table {
    const columns = this.columns.map((column) => {
      column.padTo(this.rows);
      return column.finish();
    });
    this.columns.length = 0;
    this.byName.clear();
    return { numRows: this.rows, columns };
  }

  private nextRow(): number {
    const { maxRows } = this.options;
    if (maxRows !== undefined && this.rows >= maxRows) {
      throw new FeatureError("TOO_MANY_ROWS", `more than ${maxRows} rows, the limit`, { row: this.rows });
    }
    return this.rows;
  }

  private addColumn(name: string, row?: number): ColumnBuilder {
    if (name === "") throw new FeatureError("BAD_HEADER", `column ${this.columns.length + 1} has no name`, { row });
    if (this.byName.has(name)) throw new FeatureError("BAD_HEADER", `two columns are named ${quoteValue(name)}`, { row });
    if (this.columns.length >= this.maxColumns) {
      throw new FeatureError("TOO_MANY_COLUMNS", `more than ${this.maxColumns} columns, the limit`, { row, column: name });
    }
    const column = new ColumnBuilder(name, this.options.dateOrder);
    this.columns.push(column);
    this.byName.set(name, column);
    return column;
  }

  /** Pushes `text` as a number written with a decimal comma, if it is one. */
  private pushCommaDecimal(column: ColumnBuilder, text: string): boolean {
    const value = commaDecimal(text);
    if (!Number.isFinite(value)) return false;
    column.pushNumber(value);
    return true;
  }

  private pushCell(column: ColumnBuilder, value: unknown, row: number): void {
    switch (typeof value) {
      case "string": {
        const text = value.trim();
        if (this.markers.has(text)) column.pushMissing(text);
        else if (isDecimal(text) && Number.isFinite(Number(text))) column.pushNumber(Number(text));
        else if (this.options.decimal !== "," || !this.pushCommaDecimal(column, text)) column.pushString(text);
        return;
      }
      case "number":
        if (Number.isNaN(value)) column.pushMissing();
        else if (Number.isFinite(value)) column.pushNumber(value);
        else throw new FeatureError("BAD_CELL", `${value} is not a finite number`, { row, column: column.name });
        return;
      case "boolean":
        column.pushBoolean(value);
        return;
      case "undefined":
        column.pushMissing();
        return;
      default:
        if (value === null) return column.pushMissing();
        throw new FeatureError("BAD_CELL", `a cell must be a number, a string, a boolean or null, not ${Array.isArray(value) ? "an array" : typeof value}`, { row, column: column.name });
    }
  }
}

/** A Table from an array of records (a JSON upload, or rows to predict). */
export function tableFromRecords(records: readonly unknown[], options?: TableBuilderOptions): Table {
  const builder = new TableBuilder(options);
  for (const record of records) builder.addRecord(record);
  return builder.finish();
}
