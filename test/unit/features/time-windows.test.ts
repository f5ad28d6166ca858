import { describe, expect, it } from "vitest";
import { decodePipeline, fitPipeline, splitRows, tableFromRecords, transformTable, windowRows, windowShape, type TimeWindows } from "../../../src/features/index.js";

// Windows of consecutive rows with the label `horizon` rows later as target,
// checked value by value against a series whose values say where they come from.

/** Row i: t = i (a feature), level = 100 + i (the label); row `gap` misses its feature. */
function series(rows: number, gap = -1) {
  return tableFromRecords(Array.from({ length: rows }, (_, i) => ({ t: i === gap ? null : i, level: 100 + i })));
}

function pipelineOf(table: ReturnType<typeof series>, trainRows: number, windows: TimeWindows) {
  const fitted = fitPipeline(table, { label: "level", rows: Int32Array.from({ length: trainRows }, (_, i) => i), task: "regression", features: { t: { type: "number", missing: "dropRow", scaling: "none" } } });
  return { ...fitted, timeSeries: windows };
}

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe("windowRows", () => {
  it("cuts consecutive rows, with the label horizon rows after the window as target", () => {
    const windows = { window: 3, horizon: 2, stride: 1, pastLabel: false };
    const table = series(10);
    const pipeline = pipelineOf(table, 10, windows);
    const samples = windowRows(pipeline, windows, transformTable(pipeline, table, all(10)), "training");
    // Starts 0..5: the last window (5, 6, 7) has its target at row 9.
    expect(samples.numRows).toBe(6);
    expect(windowShape(pipeline, windows)).toEqual([3, 1]);
    expect(Array.from(samples.x.subarray(0, 3))).toEqual([0, 1, 2]);
    expect(Array.from(samples.x.subarray(15, 18))).toEqual([5, 6, 7]);
    expect(Array.from(samples.y!)).toEqual([104, 105, 106, 107, 108, 109]);
    expect(Array.from(samples.rows)).toEqual([4, 5, 6, 7, 8, 9]);
  });

  it("never spans a row the pipeline dropped, and starts every stride rows", () => {
    const windows = { window: 2, horizon: 1, stride: 2, pastLabel: false };
    const table = series(12, 5);
    const pipeline = pipelineOf(table, 12, windows);
    const rows = transformTable(pipeline, table, all(12));
    expect(rows.numRows).toBe(11);
    const samples = windowRows(pipeline, windows, rows, "training");
    // Starts 0, 2, 4, 6, 8 (of the source rows); 4 would need row 5 (its target), gone; 6 and 8 follow the gap.
    expect(Array.from(samples.rows)).toEqual([2, 4, 8, 10]);
    expect(Array.from(samples.x)).toEqual([0, 1, 2, 3, 6, 7, 8, 9]);
  });

  it("adds the label's past, standardized with the training rows' statistics", () => {
    const windows = { window: 2, horizon: 1, stride: 1, pastLabel: true };
    const table = series(6);
    const pipeline = pipelineOf(table, 4, windows);
    if (pipeline.label.task !== "regression") throw new Error("a regression label");
    const { mean, std } = pipeline.label.stats;
    expect(mean).toBeCloseTo(101.5, 10);
    const samples = windowRows(pipeline, windows, transformTable(pipeline, table, all(6)), "training");
    expect(windowShape(pipeline, windows)).toEqual([2, 2]);
    expect(Array.from(samples.x.subarray(0, 4))).toEqual([0, Math.fround((100 - mean) / std), 1, Math.fround((101 - mean) / std)].map(Math.fround));
    expect(samples.y![0]).toBe(102);
  });

  it("forecasts from a window ending at every row, with no target", () => {
    const windows = { window: 3, horizon: 5, stride: 4, pastLabel: false };
    const table = series(5);
    const pipeline = pipelineOf(table, 5, windows);
    const samples = windowRows(pipeline, windows, transformTable(pipeline, table, all(5), { labels: false }), "forecast");
    expect(samples.numRows).toBe(3);
    expect(samples.y).toBeUndefined();
    expect(Array.from(samples.rows)).toEqual([2, 3, 4]);
  });

  it("is kept with the pipeline: decodePipeline reads it back and refuses a broken one", () => {
    const windows = { window: 4, horizon: 1, stride: 1, pastLabel: true };
    const pipeline = pipelineOf(series(8), 8, windows);
    expect(decodePipeline(JSON.parse(JSON.stringify(pipeline))).timeSeries).toEqual(windows);
    expect(() => decodePipeline({ ...JSON.parse(JSON.stringify(pipeline)), timeSeries: { ...windows, window: 0 } })).toThrow(/timeSeries\/window/);
  });
});

describe("splitRows in time order", () => {
  it("gives training the first rows, then validation, then test, whatever the seed", () => {
    const split = splitRows(10, { validation: 0.2, test: 0.3, seed: 5, ordered: true });
    expect(Array.from(split.train)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(split.validation)).toEqual([5, 6]);
    expect(Array.from(split.test)).toEqual([7, 8, 9]);
    expect(splitRows(10, { validation: 0.2, test: 0.3, seed: 6, ordered: true })).toEqual(split);
  });
});
