// Models trained on a time series (training.timeSeries) read windows of
// consecutive rows: what predict and evaluate make of raw rows for them.

import { DescentError, pointerSegment } from "../errors.js";
import { transformRecords, windowRows, type FittedPipeline, type TimeWindows, type TransformResult } from "../features/index.js";

/** Labelled rows (evaluate) -> the model's samples: each window with its target, as in training. */
export function labelledSamples(pipeline: FittedPipeline, rows: TransformResult): { x: Float32Array; y: Float32Array; count: number } {
  if (!pipeline.timeSeries) return { x: rows.x, y: rows.y!, count: rows.numRows };
  const windows = windowRows(pipeline, pipeline.timeSeries, rows, "training");
  return { x: windows.x, y: windows.y!, count: windows.numRows };
}

/** How many forecasts `rows` raw rows give: one per row from the window-th on. */
export function forecastCount(windows: TimeWindows, rows: number): number {
  return Math.max(0, rows - windows.window + 1);
}

/**
 * Raw rows (predict) -> one window ending at each row from the window-th on.
 * With pastLabel every row must carry its label: it is an input.
 */
export function forecastInputs(pipeline: FittedPipeline, windows: TimeWindows, records: Record<string, unknown>[]): { x: Float32Array; count: number } {
  if (records.length < windows.window) {
    const message = `this model forecasts from ${windows.window} consecutive rows (its window); ${records.length} given`;
    throw new DescentError("VALIDATION_FAILED", message, [{ path: "/rows", message }]);
  }
  const rows = transformRecords(pipeline, records, { labels: windows.pastLabel, onMissing: "error" });
  if (rows.numRows < records.length) {
    const missing = rows.rowsKept.findIndex((row, i) => row !== i);
    const row = missing === -1 ? rows.numRows : missing;
    const path = `/rows/${row}/${pointerSegment(pipeline.label.column)}`;
    const message = `the label ${pipeline.label.column} is an input of this model (pastLabel): every row needs its value`;
    throw new DescentError("VALIDATION_FAILED", `${path}: ${message}`, [{ path, message }]);
  }
  const samples = windowRows(pipeline, windows, rows, "forecast");
  return { x: samples.x, count: samples.numRows };
}
