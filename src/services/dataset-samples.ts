// A few rows of a stored dataset, as numbers: the dashboard draws image
// datasets' samples from them. Only the requested slice of the float32 blobs
// leaves Postgres (substring on bytea), not the whole dataset.

import type { Database } from "../db/client.js";
import { bytesToFloat32 } from "../db/float32.js";
import { notFound } from "../errors.js";

export const MAX_SAMPLES_PER_REQUEST = 100;

export interface DatasetSamples {
  /** One flat row of numFeatures values per sample (row-major, as stored). */
  features: number[][];
  /** One label per sample: a class index, or the regression target. */
  labels: number[];
}

export function createDatasetSampleService({ db }: { db: Database }) {
  return {
    /** Rows offset .. offset+limit-1 (fewer at the end; none past it). 404 for another project's or a deleted dataset. */
    async samples(projectId: string, id: string, offset: number, limit: number): Promise<DatasetSamples> {
      const count = Math.max(0, Math.min(limit, MAX_SAMPLES_PER_REQUEST));
      const meta = await db.dataset.findFirst({ where: { id, projectId, deletedAt: null }, select: { numSamples: true, numFeatures: true } });
      if (!meta) throw notFound("dataset", id);
      const rows = Math.max(0, Math.min(count, meta.numSamples - offset));
      if (rows === 0) return { features: [], labels: [] };

      const width = meta.numFeatures * 4;
      const [slice] = await db.$queryRaw<{ features: Uint8Array; labels: Uint8Array }[]>`
        SELECT substring("features" FROM ${offset * width + 1}::int FOR ${rows * width}::int) AS "features",
               substring("labels" FROM ${offset * 4 + 1}::int FOR ${rows * 4}::int) AS "labels"
        FROM "Dataset" WHERE "id" = ${id} AND "projectId" = ${projectId} AND "deletedAt" IS NULL`;
      if (!slice) throw notFound("dataset", id);

      const values = bytesToFloat32(slice.features);
      const features: number[][] = [];
      for (let r = 0; r < rows; r++) features.push(Array.from(values.subarray(r * meta.numFeatures, (r + 1) * meta.numFeatures), shortest));
      return { features, labels: Array.from(bytesToFloat32(slice.labels), shortest) };
    },
  };
}

export type DatasetSampleService = ReturnType<typeof createDatasetSampleService>;

/** The shortest decimal that reads back as the same float32 (0.1, not 0.10000000149011612). */
function shortest(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}
