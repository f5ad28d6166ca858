import { stringify } from "csv-stringify/sync";
import type { EpochMetricView } from "../spec/job.js";

// A job's per-epoch metrics as CSV (GET /v1/jobs/:id/metrics with Accept: text/csv).

/** Every column, always in this order, so that files of different jobs line up. */
export const METRIC_COLUMNS = ["epoch", "loss", "accuracy", "valLoss", "valAccuracy", "mae", "valMae", "learningRate", "durationMs"] as const;

export function metricsCsv(rows: EpochMetricView[]): string {
  return stringify(
    rows.map((row) => METRIC_COLUMNS.map((column) => row[column] ?? "")),
    { header: true, columns: [...METRIC_COLUMNS] },
  );
}

/** Whether the client asks for CSV (text/csv listed in Accept, ahead of or instead of JSON). */
export function acceptsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(",").map((part) => part.split(";")[0].trim().toLowerCase());
  const csv = types.indexOf("text/csv");
  const json = types.indexOf("application/json");
  return csv >= 0 && (json < 0 || csv < json);
}
