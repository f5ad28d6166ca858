import { avgPool2d } from "../ops/avg-pool2d.js";
import { maxPool2d } from "../ops/max-pool2d.js";
import type { Window2d } from "../ops/window2d.js";
import type { Tensor } from "../tensor.js";
import type { LayerSpec } from "../types.js";
import { checkImageInput, checkKnownFields, checkPadding, checkSize2d } from "./checks.js";
import { checkWindowFits, layerWindow } from "./conv2d-layer.js";
import type { LayerKind } from "./layer.js";

type PoolSpec = Extract<LayerSpec, { type: "maxPool2d" | "avgPool2d" }>;

/** maxPool2d and avgPool2d: the same fields and shapes, another op. strides default to poolSize. */
function poolingLayer<S extends PoolSpec>(type: S["type"], op: (x: Tensor, window: Window2d) => Tensor): LayerKind<S> {
  return {
    outputShape(spec, inputShape, index) {
      checkKnownFields(spec, index, ["poolSize", "strides", "padding"]);
      checkImageInput(inputShape, index, type);
      checkSize2d(spec.poolSize, index, type, "poolSize");
      if (spec.strides !== undefined) checkSize2d(spec.strides, index, type, "strides");
      checkPadding(spec.padding, index, type);
      const [height, width] = checkWindowFits(layerWindow(inputShape, spec.poolSize, spec.strides, spec.padding), index, type, "poolSize");
      return [height, width, inputShape[2]];
    },
    weights: () => [],
    apply: (spec, x) => op(x, layerWindow(x.shape.slice(1), spec.poolSize, spec.strides, spec.padding)),
  };
}

export const maxPool2dLayer = poolingLayer<Extract<LayerSpec, { type: "maxPool2d" }>>("maxPool2d", maxPool2d);
export const avgPool2dLayer = poolingLayer<Extract<LayerSpec, { type: "avgPool2d" }>>("avgPool2d", avgPool2d);
