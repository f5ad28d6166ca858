import type { MissingHandling, OutputColumn } from "../types.js";
import type { ResolvedConfig } from "../config.js";

/** A fitted feature bound to one table's column: writes its values for any row of that table. */
export interface FeatureWriter {
  /** The row has no value in the column. */
  missing(row: number): boolean;
  /** Writes the feature's `width` values for `row` from out[at] on; `out` is zero there. A missing value is imputed. */
  write(row: number, out: Float32Array, at: number): void;
}

/** Whether a feature gets a 0/1 missing column, given how many training rows missed its value. */
export function hasIndicator(config: ResolvedConfig, seen: number): boolean {
  if (config.missing === "dropRow" || config.missing === "none") return false;
  return config.missingIndicator === "always" || (config.missingIndicator === "auto" && seen > 0);
}

export function missingHandling(config: ResolvedConfig, fill: number | string | null, seen: number): MissingHandling {
  const imputes = config.missing !== "dropRow" && config.missing !== "none";
  return { strategy: config.missing, fill: imputes ? fill : null, indicator: hasIndicator(config, seen), seen };
}

export function indicatorOutput(column: string): OutputColumn {
  return { name: `${column} (missing)`, column, encoding: "missing" };
}
