import { finished } from "node:stream/promises";
import { CsvError, parse, type Parser } from "csv-parse";
import { DescentError, type FieldError } from "../errors.js";
import { countClasses } from "../features/index.js";
import { checksum, summarize, type EncodedDataset } from "./dataset-encoding.js";
import { guessDelimiter } from "./csv-delimiter.js";
import { GrowableFloat32, LabelColumn, MAX_FEATURES, MAX_NAME_LENGTH, isDecimal, parseNumber, quote, type Task } from "./column-types.js";

export interface CsvDatasetOptions {
  /** The header name of the label column; every other column is a feature. */
  label: string;
  /** The dataset's name; default "dataset". */
  name?: string;
  /** More data rows than this is a 400; default: no limit (the route's body limit bounds the upload). */
  maxRows?: number;
  /** Forces the kind of the label column; by default it is inferred (see LabelColumn). */
  task?: Task;
  /** The shape of one sample (e.g. [steps, features] for sequences, [h, w, c] for images); its size must be the feature count. */
  inputShape?: number[];
}

const MAX_REPORTED_ERRORS = 20;
/** Characters one record may hold: a guard against an unclosed quote swallowing the whole upload. */
const MAX_RECORD_CHARS = 16 * 1024 * 1024;

/**
 * Reads a CSV upload (header row, then one row per sample) into the same
 * float32 layout as a JSON upload (encodeDataset). Streams: values go
 * straight into growing typed arrays, so a file needs about its own size in
 * memory, never rows of JS values. Row N counts data rows from 1 (the header is
 * not a row; blank lines and rows of empty cells are skipped). Every feature
 * cell must be a decimal number that fits in float32; an empty cell is a
 * missing value, which is an error (training cannot use it), reported once per
 * column with the column's count of missing cells. Throws a 400 naming every
 * bad `row N, column NAME` (up to 20, then it stops parsing).
 *
 * `features` and `labels` are views (subarray) of their grown buffers, not
 * copies: read them through byteOffset/byteLength, never `.buffer` alone.
 *
 * The source is always read to its end, the rest discarded after an error, so
 * that an HTTP client still sending its body receives the 400 rather than a
 * reset connection; bound its size before (the route's body limit).
 */
export async function parseCsvDataset(
  source: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  options: CsvDatasetOptions,
): Promise<EncodedDataset> {
  const reader = new CsvDatasetReader(options);
  // The delimiter is guessed from the header in the first chunk, as for tables (csv-delimiter.ts).
  const parserFor = (first: Buffer | string) => parse({
    delimiter: guessDelimiter(first),
    bom: true,
    trim: true,
    record_delimiter: ["\r\n", "\n", "\r"],
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    // Ragged rows are reported by the reader, with their row number.
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARS,
    // Records are arrays (never objects keyed by column names) and are consumed
    // here, one at a time; none reaches the stream's readable side.
    on_record: (record: string[], context) => {
      reader.record(record, context.lines);
      return null;
    },
  });
  const failure = await feed(parserFor, source, () => reader.stopped);
  if (failure !== undefined) {
    if (!(failure instanceof CsvError)) throw failure;
    reader.syntaxError(failure);
  }
  return reader.finish();
}

/** Writes the source into the parser, honouring back-pressure; returns the parser's error, if any. */
async function feed(parserFor: (first: Buffer | string) => Parser, source: AsyncIterable<Buffer | string> | NodeJS.ReadableStream, stopped: () => boolean): Promise<unknown> {
  let parser: Parser | null = null;
  const start = (first: Buffer | string) => {
    const created = parserFor(first);
    created.on("error", () => {}); // read from parser.errored below
    created.resume();
    return created;
  };
  const done = () => parser !== null && (parser.errored != null || parser.destroyed || stopped());
  try {
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      parser ??= start(chunk);
      if (done()) continue; // drain the source: see parseCsvDataset
      if (!parser.write(chunk)) await settled(parser, "drain");
    }
    parser ??= start("");
    if (!done()) {
      parser.end();
      await finished(parser).catch(() => {});
    }
    return parser.errored ?? undefined;
  } finally {
    parser?.destroy();
  }
}

function settled(stream: Parser, event: string): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      for (const name of [event, "error", "close"]) stream.off(name, settle);
      resolve();
    };
    for (const name of [event, "error", "close"]) stream.on(name, settle);
  });
}

class CsvDatasetReader {
  stopped = false;
  private columns: string[] | null = null;
  private labelIndex = -1;
  private numFeatures = 0;
  private rows = 0;
  private features = new GrowableFloat32(0);
  private labels: LabelColumn | null = null;
  private missing: number[] = [];
  private missingErrors: (FieldError | undefined)[] = [];
  private reportedColumns = new Uint8Array(0);
  private readonly errors: FieldError[] = [];

  constructor(private readonly options: CsvDatasetOptions) {}

  record(record: string[], line: number): void {
    if (this.stopped) return;
    if (this.columns === null) return this.header(record);

    const row = ++this.rows;
    const { maxRows } = this.options;
    if (maxRows !== undefined && row > maxRows) {
      return this.fail(`row ${row}`, `the CSV has more than ${maxRows} data rows, the limit`);
    }
    const columns = this.columns;
    if (record.length !== columns.length) {
      this.report(`row ${row}`, `row ${row} (line ${line}) has ${record.length} field${record.length === 1 ? "" : "s"}; the header has ${columns.length}`);
      return;
    }

    // After the first error nothing is stored any more, only checked.
    const storing = this.errors.length === 0;
    if (storing) this.features.reserve(this.numFeatures);
    const data = this.features.data;
    let offset = this.features.length;
    for (let j = 0; j < record.length; j++) {
      const cell = record[j];
      if (cell === "") {
        this.missingCell(j, row);
      } else if (j === this.labelIndex) {
        if (cell.includes("\u0000")) {
          this.badCell(j, row, "contains a NUL character, which no label may hold");
          continue;
        }
        const problem = this.labels!.add(cell, row);
        if (problem?.fatal) return this.fail(`row ${row}, column ${columns[j]}`, problem.message);
        if (problem) this.badCell(j, row, problem.message);
      } else {
        const value = isDecimal(cell) ? Math.fround(Number(cell)) : Number.NaN;
        if (Number.isFinite(value)) {
          if (storing) data[offset++] = value;
        } else {
          const parsed = parseNumber(cell);
          this.badCell(j, row, parsed.ok ? `${quote(cell)} is not valid` : parsed.message);
        }
      }
      if (this.stopped) return;
    }
    if (storing && this.errors.length === 0) this.features.length = offset;
  }

  syntaxError(error: CsvError): void {
    if (this.stopped) return; // the parser was still busy with the rest of a chunk
    this.fail(this.columns === null ? "header" : `row ${this.rows + 1}`, error.message);
  }

  finish(): EncodedDataset {
    if (this.errors.length === 0) {
      if (this.columns === null) this.report("header", "the CSV is empty; it needs a header row naming its columns, then one row per sample");
      else if (this.rows === 0) this.report("row 1", "the CSV has a header but no data rows");
    }
    const labels = this.errors.length === 0 ? this.labels!.finish() : null;
    if (labels && "row" in labels) this.report(`row ${labels.row}, column ${this.options.label}`, labels.message);
    this.missingErrors.forEach((error, j) => {
      if (!error) return;
      const read = this.stopped ? " read before stopping" : "";
      error.message = `missing value; ${this.missing[j]} of the ${this.rows} rows${read} miss column ${this.columns![j]}: training cannot use missing values, so fill or drop them`;
    });
    if (this.errors.length > 0 || !labels || "row" in labels) {
      throw new DescentError("VALIDATION_FAILED", summarize(this.errors), this.errors);
    }

    const inputShape = this.options.inputShape ?? [this.numFeatures];
    const shapeSize = inputShape.reduce((a, b) => a * b, 1);
    if (shapeSize !== this.numFeatures) {
      const message = `inputShape [${inputShape.join(", ")}] holds ${shapeSize} values; each row has ${this.numFeatures} feature columns`;
      throw new DescentError("VALIDATION_FAILED", `querystring/inputShape: ${message}`, [{ path: "querystring/inputShape", message }]);
    }
    const features = this.features.view();
    const classCounts = labels.task === "classification" ? countClasses(labels.values, labels.classNames.length) : [];
    return {
      name: this.options.name ?? "dataset",
      numSamples: this.rows,
      numFeatures: this.numFeatures,
      inputShape,
      task: labels.task,
      classNames: labels.classNames,
      classCounts,
      featureNames: this.columns!.filter((_, j) => j !== this.labelIndex),
      features,
      labels: labels.values,
      checksum: checksum(inputShape, features, labels.values),
    };
  }

  private header(names: string[]): void {
    if (names.length > MAX_FEATURES + 1) {
      return this.fail("header", `the header has ${names.length} columns; a dataset may have at most ${MAX_FEATURES} feature columns and its label`);
    }
    const seen = new Map<string, number>();
    names.forEach((name, j) => {
      if (name === "") this.report("header", `column ${j + 1} has no name`);
      else if (name.includes("\u0000")) this.report("header", `column ${j + 1}'s name contains a NUL character`);
      else if (name.length > MAX_NAME_LENGTH) this.report("header", `column ${j + 1}'s name is longer than ${MAX_NAME_LENGTH} characters`);
      else if (seen.has(name)) this.report("header", `column name ${quote(name)} appears twice (columns ${seen.get(name)! + 1} and ${j + 1})`);
      seen.set(name, j);
    });
    const { label } = this.options;
    this.labelIndex = names.indexOf(label);
    if (this.labelIndex < 0) {
      const listed = names.length > 50 ? `${names.slice(0, 50).join(", ")}, ... (${names.length} in all)` : names.join(", ");
      this.report("header", `label column ${quote(label)} is not in the header; its columns are: ${listed}`);
    } else if (names.length < 2) {
      this.report("header", `the header has only the label column ${quote(label)}; a dataset needs at least one feature column`);
    }
    if (this.errors.length > 0) {
      this.stopped = true;
      return;
    }
    this.columns = names;
    this.numFeatures = names.length - 1;
    this.features = new GrowableFloat32(this.numFeatures * 1024);
    this.labels = new LabelColumn(label, this.options.task);
    this.missing = new Array<number>(names.length).fill(0);
    this.reportedColumns = new Uint8Array(names.length);
  }

  /** A missing cell: reported at its column's first, counted always. */
  private missingCell(j: number, row: number): void {
    if (this.missing[j]++ === 0) this.missingErrors[j] = this.report(`row ${row}, column ${this.columns![j]}`, "missing value");
  }

  /** A bad cell: only a column's first is reported (a column of text would otherwise fill the list). */
  private badCell(j: number, row: number, message: string): void {
    if (this.reportedColumns[j]) return;
    this.reportedColumns[j] = 1;
    this.report(`row ${row}, column ${this.columns![j]}`, message);
  }

  private report(path: string, message: string): FieldError | undefined {
    if (this.errors.length >= MAX_REPORTED_ERRORS) return undefined;
    const error = { path, message };
    this.errors.push(error);
    if (this.errors.length === MAX_REPORTED_ERRORS) this.stopped = true;
    return error;
  }

  private fail(path: string, message: string): void {
    this.report(path, message);
    this.stopped = true;
  }
}

