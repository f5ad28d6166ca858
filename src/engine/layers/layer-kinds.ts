import type { LayerSpec } from "../types.js";
import { activationLayer } from "./activation-layer.js";
import { batchNormLayer } from "./batch-norm-layer.js";
import { conv2dLayer } from "./conv2d-layer.js";
import { denseLayer } from "./dense-layer.js";
import { dropoutLayer } from "./dropout-layer.js";
import { flattenLayer } from "./flatten-layer.js";
import { globalAveragePooling2dLayer } from "./global-average-pooling2d-layer.js";
import { embeddingLayer } from "./embedding-layer.js";
import type { LayerKind } from "./layer.js";
import { layerNormalizationLayer } from "./layer-normalization-layer.js";
import type { MergeSpec } from "./merge-layers.js";
import { avgPool2dLayer, maxPool2dLayer } from "./pooling-layers.js";
import { selectColumnsLayer } from "./select-columns-layer.js";
import { gruLayer, lstmLayer } from "./recurrent-layers.js";
import { multiHeadAttentionLayer, positionEmbeddingLayer } from "./attention-layers.js";
import { avgPool1dLayer, conv1dLayer, globalAveragePooling1dLayer, globalMaxPooling1dLayer, maxPool1dLayer } from "./sequence-layers.js";

/** A layer with one input: every kind but the merge layers (merge-layers.ts). */
export type SingleInputSpec = Exclude<LayerSpec, MergeSpec>;

/** Every one-input layer type a spec can name. */
export const layerKinds: { [T in SingleInputSpec["type"]]: LayerKind<Extract<SingleInputSpec, { type: T }>> } = {
  dense: denseLayer,
  dropout: dropoutLayer,
  batchNorm: batchNormLayer,
  layerNormalization: layerNormalizationLayer,
  embedding: embeddingLayer,
  activation: activationLayer,
  conv2d: conv2dLayer,
  maxPool2d: maxPool2dLayer,
  avgPool2d: avgPool2dLayer,
  flatten: flattenLayer,
  globalAveragePooling2d: globalAveragePooling2dLayer,
  conv1d: conv1dLayer,
  maxPool1d: maxPool1dLayer,
  avgPool1d: avgPool1dLayer,
  globalAveragePooling1d: globalAveragePooling1dLayer,
  globalMaxPooling1d: globalMaxPooling1dLayer,
  selectColumns: selectColumnsLayer,
  lstm: lstmLayer,
  gru: gruLayer,
  multiHeadAttention: multiHeadAttentionLayer,
  positionEmbedding: positionEmbeddingLayer,
};

export function layerKindOf(spec: SingleInputSpec): LayerKind<SingleInputSpec> {
  return layerKinds[spec.type] as LayerKind<SingleInputSpec>;
}
