// A few rows of a stored dataset: a matrix's as numbers (the dashboard draws
// image datasets' samples from them; only the requested slice of the float32
// blobs leaves Postgres, substring on bytea), a table's as its raw rows.

import type { Database } from "../db/client.js";
import { bytesToFloat32 } from "../db/float32.js";
import { notFound } from "../errors.js";
import { cellValue } from "../features/index.js";
import { createTableCache } from "./table-training.js";

export const MAX_SAMPLES_PER_REQUEST = 100;

export interface DatasetSamples {
  /** One flat row of numFeatures values per sample (row-major, as stored). */
  features: number[][];
  /** One label per sample: a class index, or the regression target. */
  labels: number[];
  /** Tables: the rows as uploaded, {column: value} (null: missing); features and labels are then empty. */
  rows?: Record<string, number | string | boolean | null>[];
}

export function createDatasetSampleService({ db }: { db: Database }) {
  const tables = createTableCache();
  return {
    /** Rows offset .. offset+limit-1 (fewer at the end; none past it). 404 for another project's or a deleted dataset. */
    async samples(projectId: string, id: string, offset: number, limit: number): Promise<DatasetSamples> {
      const count = Math.max(0, Math.min(limit, MAX_SAMPLES_PER_REQUEST));
      const meta = await db.dataset.findFirst({ where: { id, projectId, deletedAt: null }, select: { numSamples: true, numFeatures: true, kind: true } });
      if (!meta) throw notFound("dataset", id);
      if (meta.kind === "table") {
        const table = await tables(id, async () => (await db.dataset.findUnique({ where: { id }, select: { table: true } }))?.table ?? null);
        if (!table) throw notFound("dataset", id);
        const end = Math.min(table.numRows, offset + count);
        const rows = [];
        for (let row = offset; row < end; row++) rows.push(Object.fromEntries(table.columns.map((column) => [column.name, cellValue(column, row)])));
        return { features: [], labels: [], rows };
      }
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
