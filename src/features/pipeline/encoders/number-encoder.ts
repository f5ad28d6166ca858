import { readNumbers } from "../../column-reader.js";
import { median, mostFrequentNumber, numberStats } from "../../column-statistics.js";
import { FeatureError } from "../../errors.js";
import type { Column } from "../../table.js";
import { bad, type ResolvedConfig } from "../config.js";
import type { NumberFeature, NumberScaling, OutputColumn } from "../types.js";
import { indicatorOutput, missingHandling, type FeatureWriter } from "./writer.js";

/** Fill value and scaling from the training rows' values (missing ones left out). */
export function fitNumber(column: Column, rows: ArrayLike<number>, config: ResolvedConfig, offset: number): NumberFeature {
  const values = readNumbers(column);
  const stats = numberStats(values, rows);
  if (!stats) throw new FeatureError("NO_DATA", "the column has no value in the training rows", { column: column.name });
  let fill: number | null = null;
  switch (config.missing) {
    case "mean":
      fill = stats.mean;
      break;
    case "median":
      fill = median(values, rows);
      break;
    case "mostFrequent":
      fill = mostFrequentNumber(values, rows);
      break;
    case "constant":
      if (typeof (config.fillValue ?? 0) !== "number") bad(column.name, "fillValue of a number column must be a number");
      fill = (config.fillValue as number | undefined) ?? 0;
      break;
  }
  const scaling: NumberScaling =
    config.scaling === "standard"
      ? { kind: "standard", mean: stats.mean, std: stats.std }
      : config.scaling === "minmax"
        ? { kind: "minmax", min: stats.min, max: stats.max }
        : { kind: "none" };
  const missing = missingHandling(config, fill, rows.length - stats.count);
  return { type: "number", column: column.name, offset, width: missing.indicator ? 2 : 1, missing, scaling };
}

export function numberOutputs(feature: NumberFeature): OutputColumn[] {
  const encoding = feature.scaling.kind === "none" ? "raw" : feature.scaling.kind;
  const outputs: OutputColumn[] = [{ name: feature.column, column: feature.column, encoding }];
  if (feature.missing.indicator) outputs.push(indicatorOutput(feature.column));
  return outputs;
}

export function numberWriter(feature: NumberFeature, column: Column): FeatureWriter {
  const values = readNumbers(column);
  const { scaling, missing } = feature;
  const fill = typeof missing.fill === "number" ? missing.fill : Number.NaN;
  // A constant column (std 0, or min = max) is scaled by 1: its values all become 0.
  const [shift, scale] =
    scaling.kind === "standard" ? [scaling.mean, scaling.std || 1] : scaling.kind === "minmax" ? [scaling.min, scaling.max - scaling.min || 1] : [0, 1];
  return {
    missing: (row) => Number.isNaN(values[row]),
    write(row, out, at) {
      const value = values[row];
      const absent = Number.isNaN(value);
      out[at] = ((absent ? fill : value) - shift) / scale;
      if (missing.indicator && absent) out[at + 1] = 1;
    },
  };
}
