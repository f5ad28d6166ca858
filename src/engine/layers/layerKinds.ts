import type { LayerSpec } from "../types.js";
import { activationLayer } from "./activationLayer.js";
import { batchNormLayer } from "./batchNormLayer.js";
import { conv2dLayer } from "./conv2dLayer.js";
import { denseLayer } from "./denseLayer.js";
import { dropoutLayer } from "./dropoutLayer.js";
import { flattenLayer } from "./flattenLayer.js";
import { globalAveragePooling2dLayer } from "./globalAveragePooling2dLayer.js";
import type { LayerKind } from "./layer.js";
import { avgPool2dLayer, maxPool2dLayer } from "./poolingLayers.js";

/** Every layer type a spec can name. */
export const layerKinds: { [T in LayerSpec["type"]]: LayerKind<Extract<LayerSpec, { type: T }>> } = {
  dense: denseLayer,
  dropout: dropoutLayer,
  batchNorm: batchNormLayer,
  activation: activationLayer,
  conv2d: conv2dLayer,
  maxPool2d: maxPool2dLayer,
  avgPool2d: avgPool2dLayer,
  flatten: flattenLayer,
  globalAveragePooling2d: globalAveragePooling2dLayer,
};

export function layerKindOf(spec: LayerSpec): LayerKind<LayerSpec> {
  return layerKinds[spec.type] as LayerKind<LayerSpec>;
}
