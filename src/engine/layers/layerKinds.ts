import type { LayerSpec } from "../types.js";
import { activationLayer } from "./activationLayer.js";
import { batchNormLayer } from "./batchNormLayer.js";
import { denseLayer } from "./denseLayer.js";
import { dropoutLayer } from "./dropoutLayer.js";
import type { LayerKind } from "./layer.js";

/** Every layer type a spec can name. */
export const layerKinds: { [T in LayerSpec["type"]]: LayerKind<Extract<LayerSpec, { type: T }>> } = {
  dense: denseLayer,
  dropout: dropoutLayer,
  batchNorm: batchNormLayer,
  activation: activationLayer,
};

export function layerKindOf(spec: LayerSpec): LayerKind<LayerSpec> {
  return layerKinds[spec.type] as LayerKind<LayerSpec>;
}
