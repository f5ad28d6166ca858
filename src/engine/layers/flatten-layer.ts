import { flatten } from "../ops/flatten.js";
import type { LayerSpec } from "../types.js";
import { checkKnownFields } from "./checks.js";
import { flatSize, type LayerKind } from "./layer.js";

type FlattenSpec = Extract<LayerSpec, { type: "flatten" }>;

export const flattenLayer: LayerKind<FlattenSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, []);
    return [flatSize(inputShape)];
  },
  weights: () => [],
  apply: (_spec, x) => flatten(x),
};
