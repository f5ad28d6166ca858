import { dropout } from "../ops/dropout.js";
import type { LayerSpec } from "../types.js";
import { BOUNDS } from "../contract.js";
import { checkBound, checkKnownFields } from "./checks.js";
import type { LayerKind } from "./layer.js";

type DropoutSpec = Extract<LayerSpec, { type: "dropout" }>;

export const dropoutLayer: LayerKind<DropoutSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, ["rate"]);
    checkBound(spec.rate, BOUNDS.dropoutRate, index, "dropout", "rate");
    return [...inputShape];
  },
  weights: () => [],
  apply: (spec, x, _weights, context) => dropout(x, spec.rate, context),
};
