import type { Database, Dataset } from "../db/client.js";
import { float32ToBytes, bytesToFloat32 } from "../db/float32.js";
import { newId } from "../db/ids.js";
import { decodeColumnReports, decodeDataReport, decodeDatasetStatistics, toJson } from "../db/json-columns.js";
import { DEFAULT_MISSING_MARKERS, type CellReading } from "../features/index.js";
import { DescentError, notFound } from "../errors.js";
import type { DatasetInput, DatasetRowsInput, DatasetView, UploadQuery } from "../spec/dataset.js";
import { parseCsvDataset } from "./csv-dataset.js";
import { encodeDataset, type EncodedDataset } from "./dataset-encoding.js";
import {
  csvLocator,
  csvTable,
  encodeTableDataset,
  jsonLocator,
  ndjsonLocator,
  ndjsonTable,
  parseMissingParameter,
  parseTypesParameter,
  recordsTable,
  type EncodedTableDataset,
  type Locator,
  type TableUploadOptions,
} from "./table-upload.js";
import { datasetStatistics } from "./dataset-statistics.js";
import { dataReport, tableReport } from "./data-report.js";
import { DELIMITER_NAMES } from "./csv-delimiter.js";
import { cellReadingOf } from "./table-training.js";
import { pageOf, type Page, type PageRequest } from "./pagination.js";

/** A dataset's arrays, as the engine wants them. */
export interface DatasetArrays {
  features: Float32Array;
  labels: Float32Array;
}

export function createDatasetService({ db, maxRows }: { db: Database; maxRows: number }) {
  /** Stores a validated dataset and its statistics in one insert: all of it or nothing. */
  async function store(projectId: string, encoded: EncodedDataset): Promise<DatasetView> {
    if (encoded.numSamples > maxRows) {
      throw new DescentError("LIMIT_EXCEEDED", `${encoded.numSamples} rows; this service takes at most ${maxRows} per dataset`, [
        { path: "/features", message: `at most ${maxRows} rows` },
      ]);
    }
    const statistics = datasetStatistics(encoded);
    const report = dataReport({ x: encoded.features, numRows: encoded.numSamples, names: encoded.featureNames, labels: encoded.labels, numClasses: encoded.classNames.length });
    const row = await db.dataset.create({
        data: {
          id: newId("ds"),
          projectId,
          name: encoded.name,
          numSamples: encoded.numSamples,
          numFeatures: encoded.numFeatures,
          inputShape: encoded.inputShape,
          numClasses: encoded.classNames.length,
          classNames: encoded.classNames,
          classCounts: encoded.classCounts,
          featureNames: encoded.featureNames,
          features: float32ToBytes(encoded.features),
          labels: float32ToBytes(encoded.labels),
          checksum: encoded.checksum,
          statistics: toJson(statistics),
          report: toJson(report),
        },
      });
      return toView(row);
  }

  /** Stores a validated table: its encoded columns and their report; the summary pipeline gives its width and classes. */
  async function storeTable(projectId: string, encoded: EncodedTableDataset): Promise<DatasetView> {
    const { summary } = encoded;
    const label = summary.label;
    const classes = label.task === "classification" ? { classNames: label.classNames, classCounts: label.classCounts } : { classNames: [], classCounts: [] };
    const row = await db.dataset.create({
      data: {
        id: newId("ds"),
        projectId,
        name: encoded.name,
        kind: "table",
        numSamples: summary.training.kept,
        numFeatures: summary.width,
        inputShape: [summary.width],
        numClasses: classes.classNames.length,
        ...classes,
        featureNames: summary.outputs.map((output) => output.name),
        features: new Uint8Array(0),
        labels: new Uint8Array(0),
        table: new Uint8Array(encoded.bytes),
        columns: toJson(encoded.columns),
        labelColumn: encoded.label,
        rowsWithoutLabel: encoded.rowsWithoutLabel,
        ...(encoded.reading.missingMarkers ? { missingMarkers: encoded.reading.missingMarkers } : {}),
        decimalComma: encoded.reading.decimal === ",",
        dateOrder: encoded.reading.dateOrder ?? null,
        checksum: encoded.checksum,
        report: toJson(tableReport(encoded)),
      },
    });
    return toView(row);
  }

  /** The table options of a query string (CSV, NDJSON, a bare JSON array). */
  function tableOptions(query: UploadQuery): TableUploadOptions {
    if (query.inputShape !== undefined) {
      const message = "a table's rows have no shape: inputShape is for text/csv with kind=matrix (a table is windowed per job: training.timeSeries)";
      throw new DescentError("VALIDATION_FAILED", `querystring/inputShape: ${message}`, [{ path: "querystring/inputShape", message }]);
    }
    if (!query.label) throw new DescentError("VALIDATION_FAILED", "querystring/label: name the label column: ?label=<column>", [{ path: "querystring/label", message: "is required for this upload" }]);
    return {
      label: query.label,
      name: query.name,
      task: query.task,
      ignore: query.ignore ? query.ignore.split(",").map((name) => name.trim()).filter(Boolean) : undefined,
      types: parseTypesParameter(query.types),
      missingMarkers: parseMissingParameter(query.missing),
      decimal: query.decimal,
      dateOrder: query.dateOrder,
      maxRows,
    };
  }
  const fromQuery = (rows: Locator) => ({ label: "querystring/label", types: "querystring/types", rows });

  return {
    /**
     * A JSON upload: a matrix (features + labels), a table (rows + label), or
     * a bare array of records (the label named by ?label=).
     */
    async create(projectId: string, input: DatasetInput | DatasetRowsInput | Record<string, unknown>[], query: UploadQuery): Promise<DatasetView> {
      if (Array.isArray(input)) {
        const options = tableOptions(query);
        return storeTable(projectId, encodeTableDataset(recordsTable(input, "", options), options, fromQuery(jsonLocator(""))));
      }
      if ("rows" in input) {
        const options = { label: input.label, name: input.name, task: input.task, types: input.columns, ignore: input.ignore, missingMarkers: input.missing?.map((marker) => marker.trim()).filter(Boolean), decimal: input.decimal, dateOrder: input.dateOrder, maxRows };
        return storeTable(projectId, encodeTableDataset(recordsTable(input.rows, "/rows", options), options, { label: "/label", types: "/columns", rows: jsonLocator("/rows") }));
      }
      return store(projectId, encodeDataset(input));
    },

    /**
     * A streamed upload (text/csv or NDJSON), parsed as it arrives. Returns a
     * function that stores it, and the checksum that stands for the body
     * (for Idempotency-Key: a stream is read once).
     */
    async parseStream(body: NodeJS.ReadableStream, format: "csv" | "ndjson", query: UploadQuery): Promise<{ checksum: string; store: (projectId: string) => Promise<DatasetView> }> {
      if (format === "csv" && query.kind === "matrix") {
        if (!query.label) throw new DescentError("VALIDATION_FAILED", "a CSV upload needs ?label=<column>", [{ path: "querystring/label", message: "is required for text/csv" }]);
        const inputShape = query.inputShape?.split(",").map(Number);
        const encoded = await parseCsvDataset(body, { label: query.label, name: query.name, task: query.task, maxRows, inputShape });
        return { checksum: encoded.checksum, store: (projectId) => store(projectId, encoded) };
      }
      const options = tableOptions(query);
      if (format === "csv") {
        const csv = await csvTable(body, { ...options, ...(query.delimiter ? { delimiter: DELIMITER_NAMES[query.delimiter] } : {}) });
        const encoded = encodeTableDataset(csv.table, { ...options, decimal: csv.format.decimal }, fromQuery(csvLocator));
        return { checksum: encoded.checksum, store: (projectId) => storeTable(projectId, encoded) };
      }
      const encoded = encodeTableDataset(await ndjsonTable(body, options), options, fromQuery(ndjsonLocator));
      return { checksum: encoded.checksum, store: (projectId) => storeTable(projectId, encoded) };
    },

    /**
     * Deletes a dataset no queued or running job uses (409 otherwise). The
     * row stays, emptied, for the finished jobs and models that name it.
     */
    async delete(projectId: string, id: string): Promise<void> {
      const outcome = await db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ id: string }[]>`
          SELECT "id" FROM "Dataset" WHERE "id" = ${id} AND "projectId" = ${projectId} AND "deletedAt" IS NULL FOR UPDATE`;
        if (rows.length === 0) return "missing";
        const active = await tx.trainingJob.count({ where: { datasetId: id, status: { in: ["queued", "running", "paused"] } } });
        if (active > 0) return active;
        await tx.dataset.update({ where: { id }, data: { deletedAt: new Date(), features: new Uint8Array(0), labels: new Uint8Array(0) } });
        return "deleted";
      });
      if (outcome === "missing") throw notFound("dataset", id);
      if (typeof outcome === "number") {
        throw new DescentError("CONFLICT", `dataset ${id} is used by ${outcome} queued, running or paused job${outcome > 1 ? "s" : ""}; cancel them or wait for them to end`);
      }
    },

    async get(projectId: string, id: string): Promise<DatasetView> {
      const row = await db.dataset.findFirst({ where: { id, projectId, deletedAt: null } });
      if (!row) throw notFound("dataset", id);
      return toView(row);
    },

    async list(projectId: string, page: PageRequest & { checksum?: string }): Promise<Page<DatasetView>> {
      const rows = await db.dataset.findMany({
        where: { projectId, deletedAt: null, ...(page.checksum ? { checksum: page.checksum } : {}), ...(page.cursor ? { id: { lt: page.cursor } } : {}) },
        orderBy: { id: "desc" },
        take: page.limit + 1,
        // A list stays small however wide its datasets are: per-feature data is on each dataset's own page.
        omit: { statistics: true, featureNames: true, classNames: true, classCounts: true, columns: true, report: true },
      });
      return pageOf(rows.map((row) => toView(row)), page.limit);
    },
  };
}

export type DatasetService = ReturnType<typeof createDatasetService>;

/** Loads a dataset with its arrays; null when it does not exist. */
export async function loadDatasetArrays(db: Database, id: string) {
  const row = await db.dataset.findUnique({ where: { id }, omit: { features: false, labels: false } });
  if (!row || row.deletedAt) return null;
  const arrays: DatasetArrays = { features: bytesToFloat32(row.features), labels: bytesToFloat32(row.labels) };
  return { ...row, ...arrays };
}

type PerDatasetSized = "statistics" | "featureNames" | "classNames" | "classCounts" | "columns" | "report";

/** A table's reading as the dataset view shows it: every field, defaults included. */
function readingView({ missingMarkers, decimal, dateOrder }: CellReading) {
  return { missingMarkers: missingMarkers ?? DEFAULT_MISSING_MARKERS.filter(Boolean), decimal: decimal ?? ("." as const), ...(dateOrder ? { dateOrder } : {}) };
}

/** The API's view of a dataset row; a list's rows come without their per-feature and per-class parts. */
export function toView(row: Omit<Dataset, "features" | "labels" | "table" | PerDatasetSized> & Partial<Pick<Dataset, PerDatasetSized>>): DatasetView {
  return {
    id: row.id,
    name: row.name,
    numSamples: row.numSamples,
    numFeatures: row.numFeatures,
    inputShape: row.inputShape,
    task: row.numClasses > 0 ? "classification" : "regression",
    numClasses: row.numClasses,
    ...(row.classNames ? { classNames: row.classNames } : {}),
    ...(row.classCounts ? { classCounts: row.classCounts } : {}),
    ...(row.featureNames ? { featureNames: row.featureNames } : {}),
    checksum: row.checksum,
    kind: row.kind,
    ...(row.kind === "table" ? { labelColumn: row.labelColumn ?? "", rowsWithoutLabel: row.rowsWithoutLabel, ...readingView(cellReadingOf(row)) } : {}),
    ...(row.kind === "table" && row.columns ? { columns: decodeColumnReports(row.columns, `dataset ${row.id}'s columns`) } : {}),
    ...(row.statistics && row.kind === "matrix" ? { statistics: decodeDatasetStatistics(row.statistics, `dataset ${row.id}'s statistics`) } : {}),
    ...(row.report !== undefined ? { report: row.report === null ? null : decodeDataReport(row.report, `dataset ${row.id}'s report`) } : {}),
    createdAt: row.createdAt.toISOString(),
  };
}
