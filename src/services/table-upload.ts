// Tables as people have them, into a table dataset: CSV streamed through
// csv-parse, NDJSON line by line, a JSON array of records, or {rows, label}.
// Cells go straight into src/features' typed columns (no rows of JS values
// for CSV and NDJSON); the columns' types are inferred (with the user's
// overrides) and a pipeline fitted on every labelled row gives the summary
// the dataset reports (its input width, its classes). Jobs fit their own
// pipeline on their training rows only.

import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { parse } from "csv-parse";
import { DescentError, pointerSegment, type FieldError } from "../errors.js";
import {
  FeatureError,
  TableBuilder,
  encodeTable,
  fitPipeline,
  inferColumnTypes,
  isMissing,
  cellReading,
  type CellReading,
  type ColumnReport,
  type DateOrder,
  type FeatureType,
  type FittedPipeline,
  type Table,
} from "../features/index.js";
import { MAX_FEATURES } from "./column-types.js";
import { guessDelimiter, type CsvDelimiter } from "./csv-delimiter.js";

/** What the user says about a table at upload. */
export interface TableUploadOptions {
  name?: string;
  /** The label column. */
  label: string;
  /** Column types chosen by the user, checked against every value. */
  types?: Record<string, FeatureType>;
  /** Columns left out. */
  ignore?: string[];
  task?: "classification" | "regression";
  /** Cells that mean "no value" (besides empty ones); absent: DEFAULT_MISSING_MARKERS. */
  missingMarkers?: string[];
  /** `,`: "12,5" is 12.5. @defaultValue "." (a CSV: "," when it is ;-separated) */
  decimal?: "." | ",";
  /** How N/N/YYYY dates read. @defaultValue none: they stay text */
  dateOrder?: DateOrder;
  /** More rows than this is a 422. */
  maxRows: number;
}

/** A validated table dataset, ready to store. */
export interface EncodedTableDataset {
  name: string;
  bytes: Uint8Array;
  checksum: string;
  label: string;
  columns: ColumnReport[];
  /** A pipeline fitted on every labelled row: the dataset's width and classes as a job would see them by default. */
  summary: FittedPipeline;
  numRows: number;
  rowsWithoutLabel: number;
  /** The label column's missing cells that held a marker, by text ("None": 8939): what the report's warning names. */
  labelMissingAs: Record<string, number>;
  /** How its cells were read, where not by default (the summary pipeline carries it too). */
  reading: CellReading;
}

/** Where a cell is, for an error message: `row N, column X` (CSV), `/rows/N/X` (JSON), `line N, column X` (NDJSON). */
export type Locator = (error: FeatureError) => string;

export const csvLocator: Locator = (error) => error.message.replace(/: .*$/s, "") || "(body)";
export const ndjsonLocator: Locator = (error) =>
  [error.row !== undefined ? `line ${error.row + 1}` : null, error.column !== undefined ? `column ${error.column}` : null].filter(Boolean).join(", ") || "(body)";
export const jsonLocator =
  (base: string): Locator =>
  (error) =>
    `${base}${error.row !== undefined ? `/${error.row}` : ""}${error.column !== undefined ? `/${pointerSegment(error.column)}` : ""}`;

/** Runs `build`, turning the pipeline's errors into a 400 that names where. */
export function withLocations<T>(locate: Locator, build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw asFieldError(error, locate);
  }
}

function asFieldError(error: unknown, locate: Locator): unknown {
  if (!(error instanceof FeatureError)) return error;
  const path = locate(error);
  const code = error.code === "TOO_MANY_ROWS" || error.code === "TOO_MANY_COLUMNS" ? "LIMIT_EXCEEDED" : "VALIDATION_FAILED";
  return new DescentError(code, `${path}: ${error.problem}`, [{ path, message: error.problem }]);
}

type BuildOptions = Pick<TableUploadOptions, "maxRows" | "missingMarkers" | "decimal" | "dateOrder">;

function builder(options: BuildOptions, columns?: string[]): TableBuilder {
  return new TableBuilder({ ...(columns ? { columns } : {}), maxRows: options.maxRows, maxColumns: MAX_FEATURES + 1, ...cellReading(options) });
}

const MAX_RECORD_CHARS = 16 * 1024 * 1024;

/** How a CSV was read: its delimiter (given or guessed from the header) and decimal separator. */
export interface CsvFormat {
  delimiter: CsvDelimiter;
  decimal: "." | ",";
}

/**
 * A CSV body (header row first) into a table, streamed. The delimiter is
 * guessed from the first chunk's header line unless given; a ;-separated
 * file reads decimal commas unless `decimal` says otherwise.
 */
export async function csvTable(source: NodeJS.ReadableStream, options: BuildOptions & { delimiter?: CsvDelimiter }): Promise<{ table: Table; format: CsvFormat }> {
  let table: TableBuilder | null = null;
  let failure: unknown = null;
  let format: CsvFormat = { delimiter: options.delimiter ?? ",", decimal: options.decimal ?? "." };
  const start = (firstChunk: Buffer) => {
    const delimiter = options.delimiter ?? guessDelimiter(firstChunk);
    format = { delimiter, decimal: options.decimal ?? (delimiter === ";" ? "," : ".") };
    return parse({
      delimiter,
      bom: true,
      record_delimiter: ["\r\n", "\n", "\r"],
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
      max_record_size: MAX_RECORD_CHARS,
      on_record: (record: string[]) => {
        if (failure !== null) return null;
        try {
          if (table === null) {
            if (record.length > MAX_FEATURES + 1) throw new DescentError("VALIDATION_FAILED", `header: the header has ${record.length} columns; a dataset may have at most ${MAX_FEATURES} feature columns and its label`, [{ path: "header", message: `at most ${MAX_FEATURES + 1} columns` }]);
            table = withLocations(() => "header", () => builder({ ...options, decimal: format.decimal }, record.map((name) => name.trim())));
          } else {
            const current = table;
            withLocations(csvLocator, () => current.addRow(record));
          }
        } catch (error) {
          failure = error;
        }
        return null;
      },
    });
  };
  let parser: ReturnType<typeof parse> | null = null;
  try {
    // Read the body to its end even after an error, so the client gets the 400 rather than a reset connection.
    for await (const chunk of source as AsyncIterable<Buffer>) {
      parser ??= start(chunk);
      if (failure === null && !parser.write(chunk)) await new Promise((resolve) => parser!.once("drain", resolve));
    }
    if (parser) {
      parser.end();
      for await (const _ of parser);
    }
  } catch (error) {
    // The body's own errors (its size limit: a 413) stand; the parser's are the CSV's fault.
    if ((error as { statusCode?: number }).statusCode !== undefined) throw error;
    if (failure === null) failure = new DescentError("VALIDATION_FAILED", `the CSV does not parse: ${(error as Error).message}`, [{ path: "(body)", message: (error as Error).message }]);
  }
  if (failure !== null) throw failure;
  if (table === null) throw new DescentError("VALIDATION_FAILED", "the CSV is empty; it needs a header row naming its columns, then one row per sample", [{ path: "header", message: "missing" }]);
  return { table: withLocations(csvLocator, () => (table as TableBuilder).finish()), format };
}

/** An NDJSON body (one JSON object per line) into a table, line by line. */
export async function ndjsonTable(source: NodeJS.ReadableStream, options: BuildOptions): Promise<Table> {
  const table = builder(options);
  let line = 0;
  let failure: unknown = null;
  const lines = createInterface({ input: Readable.from(source as AsyncIterable<Buffer>), crlfDelay: Infinity });
  for await (const text of lines) {
    line++;
    if (failure !== null || text.trim() === "") continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      failure = new DescentError("VALIDATION_FAILED", `line ${line}: not JSON (${(error as Error).message})`, [{ path: `line ${line}`, message: "is not JSON" }]);
      continue;
    }
    const lineNumber = line;
    try {
      withLocations((e) => `line ${lineNumber}${e.column !== undefined ? `, column ${e.column}` : ""}`, () => table.addRecord(record));
    } catch (error) {
      failure = error;
    }
  }
  if (failure !== null) throw failure;
  return withLocations(ndjsonLocator, () => table.finish());
}

/** JSON records (a bare array, or the `rows` of {rows, label}) into a table; errors point at `base`/index/column. */
export function recordsTable(records: unknown[], base: string, options: BuildOptions): Table {
  return withLocations(jsonLocator(base), () => {
    const table = builder(options);
    for (const record of records) table.addRecord(record);
    return table.finish();
  });
}

/**
 * Types, the summary pipeline and the stored bytes of an uploaded table.
 * `where` names the options' source for errors (`querystring`, or the body).
 */
export function encodeTableDataset(table: Table, options: TableUploadOptions, where: { label: string; types: string; rows: Locator }): EncodedTableDataset {
  if (table.numRows === 0) throw new DescentError("VALIDATION_FAILED", "the table has no rows", [{ path: "(body)", message: "no rows" }]);
  if (table.numRows > options.maxRows) {
    throw new DescentError("LIMIT_EXCEEDED", `${table.numRows} rows; this service takes at most ${options.maxRows} per dataset`, [{ path: "(body)", message: `at most ${options.maxRows} rows` }]);
  }
  checkStorable(table, where.rows);
  const names = table.columns.map((column) => column.name);
  if (!names.includes(options.label)) {
    const listed = names.length > 50 ? `${names.slice(0, 50).join(", ")}, ... (${names.length} in all)` : names.join(", ");
    throw new DescentError("VALIDATION_FAILED", `the label column ${JSON.stringify(options.label)} is not in the table; its columns are: ${listed}`, [{ path: where.label, message: "is not a column of the table" }]);
  }
  const located = (error: FeatureError) => (error.row !== undefined ? where.rows(error) : error.column !== undefined ? `${where.types}/${pointerSegment(error.column)}` : where.types);
  const columns = withLocations(located, () => inferColumnTypes(table, { label: options.label, overrides: options.types, ignore: options.ignore }));
  const features = Object.fromEntries(columns.filter((c) => !c.label && c.type !== "ignore").map((c) => [c.name, c.type]));
  const ignore = columns.filter((c) => c.type === "ignore").map((c) => c.name);
  const labelled: number[] = [];
  const label = table.columns.find((column) => column.name === options.label)!;
  for (let row = 0; row < table.numRows; row++) if (!isMissing(label, row)) labelled.push(row);
  const fitted = withLocations(located, () => fitPipeline(table, { label: options.label, rows: labelled, task: options.task, features, ignore }));
  const reading = cellReading(options);
  const summary = { ...fitted, ...reading };
  const bytes = encodeTable(table);
  return {
    name: options.name ?? "dataset",
    bytes,
    checksum: createHash("sha256").update(bytes).digest("hex"),
    label: options.label,
    columns,
    summary,
    numRows: table.numRows,
    rowsWithoutLabel: table.numRows - labelled.length,
    labelMissingAs: label.missingAs ?? {},
    reading,
  };
}

/** Finite in float32 (the engine trains in float32; 1e39 would be Infinity). */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * What the table may not hold, checked once over its cells: numbers beyond
 * float32 (they would train as Infinity) and NUL characters (Postgres text
 * and JSON cannot hold them; column names and categories are shown in JSON).
 */
function checkStorable(table: Table, locate: Locator): void {
  for (const column of table.columns) {
    if (column.name.includes("\u0000")) throw new DescentError("VALIDATION_FAILED", "header: a column name contains a NUL character", [{ path: "header", message: "contains a NUL character" }]);
    if (column.kind === "number") {
      const values = column.values;
      for (let row = 0; row < values.length; row++) {
        if (Math.abs(values[row]) > FLOAT32_MAX) throw asFieldError(new FeatureError("BAD_CELL", `${values[row]} does not fit in float32`, { row, column: column.name }), locate);
      }
    } else if (column.kind === "string" && column.vocabulary.bytes.includes(0)) {
      const codes = column.codes;
      for (let row = 0; row < codes.length; row++) {
        if (codes[row] >= 0 && column.vocabulary.get(codes[row]).includes("\u0000")) {
          throw asFieldError(new FeatureError("BAD_CELL", "contains a NUL character", { row, column: column.name }), locate);
        }
      }
    }
  }
}

/** `?types=zip:category,year:number` -> {zip: "category", year: "number"}; errors name the query parameter. */
/** `?missing=NA,null`: the markers, trimmed; `?missing=` (empty) gives none (only empty cells are missing). */
export function parseMissingParameter(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text.split(",").map((marker) => marker.trim()).filter(Boolean);
}

export function parseTypesParameter(text: string | undefined): Record<string, FeatureType> | undefined {
  if (!text) return undefined;
  const errors: FieldError[] = [];
  const types: Record<string, FeatureType> = {};
  for (const pair of text.split(",")) {
    const at = pair.lastIndexOf(":");
    if (at <= 0) {
      errors.push({ path: "querystring/types", message: `${JSON.stringify(pair)}: expected column:type` });
      continue;
    }
    types[pair.slice(0, at).trim()] = pair.slice(at + 1).trim() as FeatureType;
  }
  if (errors.length > 0) throw new DescentError("VALIDATION_FAILED", `querystring/types: ${errors[0].message}`, errors);
  return types;
}
