import { BOUNDS } from "../contract.js";
import { selectColumns } from "../ops/select-columns.js";
import type { LayerSpec } from "../types.js";
import { checkBound, checkKnownFields, layerError } from "./checks.js";
import type { LayerKind } from "./layer.js";

type SelectColumnsSpec = Extract<LayerSpec, { type: "selectColumns" }>;

// The indices as the op takes them, made once per spec (not per batch).
const indicesOf = new WeakMap<SelectColumnsSpec, Int32Array>();

/**
 * Picks positions of the last axis: [..., width] -> [..., indices.length].
 * With graph wiring, it splits a table's feature vector, e.g. a category's
 * ids for an embedding and the other columns for dense layers.
 */
export const selectColumnsLayer: LayerKind<SelectColumnsSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, ["indices", "columns", "exceptColumns"]);
    const width = inputShape[inputShape.length - 1];
    if (spec.indices === undefined) {
      const named = spec.columns !== undefined || spec.exceptColumns !== undefined;
      throw layerError(index, "selectColumns", named ? (spec.columns ? "columns" : "exceptColumns") : "indices", named ? "column names are resolved for jobs on a table; here give indices" : "indices must list the positions to pick");
    }
    if (!Array.isArray(spec.indices) || spec.indices.length === 0) throw layerError(index, "selectColumns", "indices", "indices must list at least one position of the last axis");
    checkBound(spec.indices.length, BOUNDS.units, index, "selectColumns", "indices");
    const seen = new Set<number>();
    spec.indices.forEach((position, i) => {
      if (!Number.isInteger(position) || position < 0 || position >= width) {
        throw layerError(index, "selectColumns", `indices/${i}`, `${JSON.stringify(position)} is not a position of an input whose last axis has ${width} values (0 to ${width - 1})`);
      }
      if (seen.has(position)) throw layerError(index, "selectColumns", `indices/${i}`, `position ${position} is listed twice`);
      seen.add(position);
    });
    return [...inputShape.slice(0, -1), spec.indices.length];
  },
  weights: () => [],
  apply(spec, x) {
    let indices = indicesOf.get(spec);
    if (!indices) indicesOf.set(spec, (indices = Int32Array.from(spec.indices!)));
    return selectColumns(x, indices);
  },
};
