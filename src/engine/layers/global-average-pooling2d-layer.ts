import { globalAveragePooling2d } from "../ops/global-average-pooling2d.js";
import type { LayerSpec } from "../types.js";
import { checkImageInput, checkKnownFields } from "./checks.js";
import type { LayerKind } from "./layer.js";

type GlobalAveragePoolingSpec = Extract<LayerSpec, { type: "globalAveragePooling2d" }>;

export const globalAveragePooling2dLayer: LayerKind<GlobalAveragePoolingSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, []);
    checkImageInput(inputShape, index, "globalAveragePooling2d");
    return [inputShape[2]];
  },
  weights: () => [],
  apply: (_spec, x) => globalAveragePooling2d(x),
};
