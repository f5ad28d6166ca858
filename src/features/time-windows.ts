// Time series as samples: windows of consecutive rows (in the table's order)
// after the feature pipeline, each with the label `horizon` rows after its
// last row as target. Rows the pipeline dropped break a series: no window
// spans them. Which windows train and which validate is decided by the row of
// their target (table-training.ts), so nothing after a split's start is seen
// by training.

import { FeatureError } from "./errors.js";
import { targetFromOutput } from "./pipeline/label.js";
import type { TransformResult } from "./pipeline/transform.js";
import type { FittedPipeline, TimeWindows } from "./pipeline/types.js";

export const MAX_WINDOW = 1024;
export const MAX_HORIZON = 10_000;

export interface WindowedSamples {
  /** numRows x window x stepWidth, row-major: the model's input, of shape [window, stepWidth]. */
  x: Float32Array;
  /** Training windows: the target of each window (as the pipeline's y). Forecast windows: none. */
  y?: Float32Array;
  numRows: number;
  /** For each window, the source row of its target (training), or of its last row (forecast). */
  rows: Int32Array;
}

/** Values per step of a window: the pipeline's features, and the label's own past value with pastLabel. */
export function stepWidth(pipeline: FittedPipeline, windows: TimeWindows): number {
  return pipeline.width + (windows.pastLabel ? 1 : 0);
}

/** The model's input shape for a time-series pipeline: [window, stepWidth]. */
export function windowShape(pipeline: FittedPipeline, windows: TimeWindows): [number, number] {
  return [windows.window, stepWidth(pipeline, windows)];
}

/**
 * `training`: a window every `stride` rows, with its target `horizon` rows
 * after it. `forecast`: a window ending at every row from the window-th on,
 * without target (what predict answers: the forecast made after that row).
 * `rows` went through the pipeline with labels when there are targets or pastLabel.
 */
export function windowRows(pipeline: FittedPipeline, windows: TimeWindows, rows: TransformResult, mode: "training" | "forecast"): WindowedSamples {
  const { window, pastLabel } = windows;
  const horizon = mode === "training" ? windows.horizon : 0;
  const stride = mode === "training" ? windows.stride : 1;
  if ((mode === "training" || pastLabel) && !rows.y) throw new FeatureError("BAD_OPTION", "windows with targets or past labels need rows transformed with their labels");
  const span = window - 1 + horizon;
  const starts: number[] = [];
  const kept = rows.rowsKept;
  for (let i = 0; i + span < rows.numRows; i++) {
    if ((kept[i] - kept[0]) % stride !== 0) continue;
    if (kept[i + span] - kept[i] === span) starts.push(i);
  }

  const width = stepWidth(pipeline, windows);
  const x = new Float32Array(starts.length * window * width);
  const y = mode === "training" ? new Float32Array(starts.length) : undefined;
  const targetRows = new Int32Array(starts.length);
  const pastValue = pastLabel ? standardizedLabel(pipeline) : null;
  starts.forEach((start, sample) => {
    for (let step = 0; step < window; step++) {
      const row = start + step;
      const offset = (sample * window + step) * width;
      x.set(rows.x.subarray(row * rows.width, (row + 1) * rows.width), offset);
      if (pastValue) x[offset + rows.width] = pastValue(rows.y![row]);
    }
    if (y) y[sample] = rows.y![start + span];
    targetRows[sample] = kept[start + span];
  });
  return { x, y, numRows: starts.length, rows: targetRows };
}

/** A label value as the pipeline's y holds it -> standardized with the training rows' mean and deviation. */
function standardizedLabel(pipeline: FittedPipeline): (y: number) => number {
  const { label } = pipeline;
  if (label.task !== "regression") throw new FeatureError("BAD_OPTION", "only a regression label can be a window's input (pastLabel)", { column: label.column });
  const std = label.stats.std > 0 ? label.stats.std : 1;
  return (y) => (targetFromOutput(pipeline, y) - label.stats.mean) / std;
}
