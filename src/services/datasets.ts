import type { Database, Dataset } from "../db/client.js";
import { float32ToBytes, bytesToFloat32 } from "../db/float32.js";
import { newId } from "../db/ids.js";
import { decodeDatasetStatistics, toJson } from "../db/json-columns.js";
import { DescentError, notFound } from "../errors.js";
import type { DatasetInput, DatasetRowsInput, DatasetView } from "../spec/dataset.js";
import { parseCsvDataset, type CsvDatasetOptions } from "./csv-dataset.js";
import { encodeDataset, rowsToColumns, type EncodedDataset } from "./dataset-encoding.js";
import { datasetStatistics } from "./dataset-statistics.js";
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
        },
      });
      return toView(row);
  }

  return {
    /** A JSON upload: columns (features + labels) or rows of objects (rows + label). */
    async create(projectId: string, input: DatasetInput | DatasetRowsInput): Promise<DatasetView> {
      return store(projectId, encodeDataset("rows" in input ? rowsToColumns(input) : input));
    },

    /** Parses a text/csv upload as it streams in; `store` then keeps it. */
    parseCsv(body: NodeJS.ReadableStream, options: Omit<CsvDatasetOptions, "maxRows">): Promise<EncodedDataset> {
      return parseCsvDataset(body, { ...options, maxRows });
    },

    store,

    /**
     * Deletes a dataset no queued or running job uses (409 otherwise). The
     * row stays, emptied, for the finished jobs and models that name it.
     */
    async delete(projectId: string, id: string): Promise<void> {
      const outcome = await db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ id: string }[]>`
          SELECT "id" FROM "Dataset" WHERE "id" = ${id} AND "projectId" = ${projectId} AND "deletedAt" IS NULL FOR UPDATE`;
        if (rows.length === 0) return "missing";
        const active = await tx.trainingJob.count({ where: { datasetId: id, status: { in: ["queued", "running"] } } });
        if (active > 0) return active;
        await tx.dataset.update({ where: { id }, data: { deletedAt: new Date(), features: new Uint8Array(0), labels: new Uint8Array(0) } });
        return "deleted";
      });
      if (outcome === "missing") throw notFound("dataset", id);
      if (typeof outcome === "number") {
        throw new DescentError("CONFLICT", `dataset ${id} is used by ${outcome} queued or running job${outcome > 1 ? "s" : ""}; cancel them or wait for them to end`);
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
        omit: { statistics: true, featureNames: true, classNames: true, classCounts: true },
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

type PerDatasetSized = "statistics" | "featureNames" | "classNames" | "classCounts";

/** The API's view of a dataset row; a list's rows come without their per-feature and per-class parts. */
export function toView(row: Omit<Dataset, "features" | "labels" | PerDatasetSized> & Partial<Pick<Dataset, PerDatasetSized>>): DatasetView {
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
    ...(row.statistics ? { statistics: decodeDatasetStatistics(row.statistics, `dataset ${row.id}'s statistics`) } : {}),
    createdAt: row.createdAt.toISOString(),
  };
}
