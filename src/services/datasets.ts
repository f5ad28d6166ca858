import type { Database, Dataset } from "../db/client.js";
import { float32ToBytes, bytesToFloat32 } from "../db/float32.js";
import { newId } from "../db/ids.js";
import { notFound } from "../errors.js";
import type { DatasetInput, DatasetView } from "../spec/dataset.js";
import { encodeDataset } from "./dataset-encoding.js";
import { pageOf, type Page, type PageRequest } from "./pagination.js";

/** A dataset's arrays, as the engine wants them. */
export interface DatasetArrays {
  features: Float32Array;
  labels: Float32Array;
}

export function createDatasetService({ db }: { db: Database }) {
  return {
    async create(projectId: string, input: DatasetInput): Promise<DatasetView> {
      const encoded = encodeDataset(input);
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
        },
      });
      return toView(row);
    },

    async get(projectId: string, id: string): Promise<DatasetView> {
      const row = await db.dataset.findFirst({ where: { id, projectId, deletedAt: null } });
      if (!row) throw notFound("dataset", id);
      return toView(row);
    },

    async list(projectId: string, page: PageRequest): Promise<Page<DatasetView>> {
      const rows = await db.dataset.findMany({
        where: { projectId, deletedAt: null, ...(page.cursor ? { id: { lt: page.cursor } } : {}) },
        orderBy: { id: "desc" },
        take: page.limit + 1,
      });
      return pageOf(rows.map(toView), page.limit);
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

export function toView(row: Omit<Dataset, "features" | "labels">): DatasetView {
  return {
    id: row.id,
    name: row.name,
    numSamples: row.numSamples,
    numFeatures: row.numFeatures,
    inputShape: row.inputShape,
    task: row.numClasses > 0 ? "classification" : "regression",
    numClasses: row.numClasses,
    classNames: row.classNames,
    classCounts: row.classCounts,
    featureNames: row.featureNames,
    checksum: row.checksum,
    createdAt: row.createdAt.toISOString(),
  };
}
