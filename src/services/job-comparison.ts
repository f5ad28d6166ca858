// GET /v1/jobs/compare: several jobs side by side, as W&B and TensorBoard
// overlay runs: per-epoch metrics aligned on the epoch, and the settings
// (JSON pointers into each job's {datasetId, model, training}) that differ.

import type { Database } from "../db/client.js";
import { decodeJobModel, decodeTrainingConfig } from "../db/json-columns.js";
import { DescentError, pointerSegment } from "../errors.js";
import type { EpochMetricView, JobComparisonView } from "../spec/job.js";

export const COMPARED_METRICS = ["loss", "accuracy", "valLoss", "valAccuracy", "mae", "valMae", "learningRate"] as const;
export const MAX_COMPARED_JOBS = 20;

/** Leaves of a JSON value by JSON pointer (arrays by index); an empty object or array is a leaf. */
function leaves(value: unknown, path = "", into = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === "object" && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) leaves(child, `${path}/${pointerSegment(key)}`, into);
  } else {
    into.set(path, value);
  }
  return into;
}

export async function compareJobs(db: Database, projectId: string, ids: string[]): Promise<JobComparisonView> {
  const unique = [...new Set(ids)];
  if (unique.length < 2 || unique.length > MAX_COMPARED_JOBS) {
    const message = `name 2 to ${MAX_COMPARED_JOBS} distinct jobs, comma-separated; got ${unique.length}`;
    throw new DescentError("VALIDATION_FAILED", `querystring/ids: ${message}`, [{ path: "querystring/ids", message }]);
  }
  const rows = await db.trainingJob.findMany({ where: { projectId, id: { in: unique } }, select: { id: true, name: true, status: true, datasetId: true, spec: true, training: true } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const missing = unique.findIndex((id) => !byId.has(id));
  if (missing >= 0) throw new DescentError("NOT_FOUND", `job ${unique[missing]} does not exist`, [{ path: `querystring/ids/${missing}`, message: "no such job in this project" }]);
  const jobs = unique.map((id) => byId.get(id)!);

  const metricRows = await db.epochMetric.findMany({ where: { jobId: { in: unique } }, orderBy: { epoch: "asc" } });
  const perJob = new Map<string, EpochMetricView[]>(unique.map((id) => [id, []]));
  for (const row of metricRows) perJob.get(row.jobId)!.push(row);
  const lastEpoch = Math.max(0, ...metricRows.map((row) => row.epoch));
  const epochs = Array.from({ length: lastEpoch }, (_, i) => i + 1);
  const metrics = Object.fromEntries(
    COMPARED_METRICS.map((metric) => [
      metric,
      unique.map((id) => {
        const series: (number | null)[] = epochs.map(() => null);
        for (const row of perJob.get(id)!) series[row.epoch - 1] = row[metric] ?? null;
        return series;
      }),
    ]),
  ) as JobComparisonView["metrics"];

  const settings = jobs.map((job) =>
    leaves({ datasetId: job.datasetId, model: decodeJobModel(job.spec, `job ${job.id}'s model`), training: decodeTrainingConfig(job.training, `job ${job.id}'s training config`) }),
  );
  const paths = [...new Set(settings.flatMap((s) => [...s.keys()]))].sort();
  const differences = paths
    .map((path) => ({ path, values: settings.map((s) => (s.has(path) ? s.get(path) : null)) }))
    .filter(({ values }) => new Set(values.map((v) => JSON.stringify(v))).size > 1);

  return { jobs: jobs.map((job) => ({ id: job.id, name: job.name, status: job.status, epochs: perJob.get(job.id)!.length })), epochs, metrics, differences };
}
