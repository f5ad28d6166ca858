import { LEAKY_RELU_ALPHA } from "./ops/leaky-relu.js";
import { ExportError } from "./errors.js";
import { asNetwork } from "./model.js";
import { planModel } from "./model-plan.js";
import type { ActivationName, LayerSpec, LayerSummary, Model, Size2d } from "./types.js";
import { exportWeights } from "./weights.js";

/**
 * Export to the TensorFlow.js layers format: model.json (a Keras Sequential
 * topology + weightsManifest) and weights.bin, which `tf.loadLayersModel`
 * loads as is when both are served side by side (the manifest's path is
 * relative to model.json). Pure: no I/O.
 *
 * The layouts already agree: NHWC images, Dense kernel [in, out], Conv2D
 * kernel [kh, kw, inC, outC], BatchNormalization gamma, beta, moving_mean,
 * moving_variance, all float32 little-endian, so weights.bin is exactly
 * exportWeights' buffer. Where descent and Keras differ, the export adds layers:
 *   - leakyRelu (slope 0.2) becomes a linear layer followed by LeakyReLU {alpha: 0.2};
 *   - gelu is the exact erf form in both (tfjs-layers' "gelu"; its tanh
 *     approximation "gelu_new" cannot be loaded from JSON in tfjs 4.22, which
 *     camel-cases the name to an unknown "geluNew");
 *   - dense and batchNorm on a rank-2 input ([a, b], which descent flattens) get a Flatten first;
 *   - selectColumns becomes a frozen Dense whose kernel picks the columns (selectionKernels).
 * Frozen layers (spec.frozenLayers) are exported with trainable: false.
 * Graph models (layers with `inputs`) export as a functional Model with an
 * InputLayer named "input"; add and concatenate become Add and Concatenate.
 */
export interface TfjsExport {
  modelJson: TfjsModelJson;
  weightsBin: Uint8Array;
}

export interface TfjsModelJson {
  format: "layers-model";
  generatedBy: string;
  convertedBy: null;
  modelTopology: { class_name: "Sequential" | "Model"; config: SequentialConfig | FunctionalConfig; keras_version: string; backend: string };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: "float32" }[] }[];
}

interface SequentialConfig {
  name: string;
  layers: KerasLayer[];
}

/** Keras's functional form: every layer names the layers it is called on (inbound_nodes). */
interface FunctionalConfig {
  name: string;
  layers: (KerasLayer & { name: string; inbound_nodes: [string, number, number, Record<string, never>][][] })[];
  input_layers: [string, number, number][];
  output_layers: [string, number, number][];
}

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

// Which Keras weight name each of descent's weights is saved under.
const KERAS_WEIGHT_NAMES: Record<string, string> = { kernel: "kernel", recurrentKernel: "recurrent_kernel", bias: "bias", gamma: "gamma", beta: "beta", movingMean: "moving_mean", movingVariance: "moving_variance", embeddings: "embeddings" };

const INPUT_LAYER_NAME = "input";

/** A sequential stack exports as Keras's Sequential model; a graph (any layer with `inputs`) as a functional Model. */
export function exportTfjs(model: Model): TfjsExport {
  const network = asNetwork(model);
  const spec = network.spec;
  const plan = planModel(spec);
  // Each of descent's layers becomes a short chain of Keras layers (a Flatten before, a LeakyReLU after).
  const chains = spec.layers.map((layer, index) => kerasChain(layer, index, plan.inputShapes[index][0], index >= network.frozenLayers));
  const isGraph = spec.layers.some((layer) => layer.inputs !== undefined);
  const topology = isGraph ? functionalTopology(chains, plan.summaries, spec.inputShape) : sequentialTopology(chains, spec.inputShape);

  const { manifest, data: trained } = exportWeights(model);
  const weights = manifest.map((entry, w) => {
    const owner = network.weights[w];
    const short = entry.name.slice(entry.name.lastIndexOf("/") + 1);
    return { name: `${kerasLayerName(spec.layers[owner.layer], owner.layer)}/${KERAS_WEIGHT_NAMES[short]}`, shape: entry.shape, dtype: "float32" as const };
  });
  const selections = selectionKernels(spec.layers, plan.inputShapes);
  weights.push(...selections.map(({ name, shape }) => ({ name, shape, dtype: "float32" as const })));
  const data = concatBytes([trained, ...selections.map(({ kernel }) => new Uint8Array(kernel.buffer))]);
  return {
    modelJson: {
      format: "layers-model",
      generatedBy: "descent",
      convertedBy: null,
      modelTopology: { ...topology, keras_version: "tfjs-layers 4.22.0", backend: "tensor_flow.js" },
      weightsManifest: [{ paths: ["weights.bin"], weights }],
    },
    weightsBin: data,
  };
}

/**
 * tfjs-layers has no layer that picks columns: selectColumns exports as a
 * Dense without bias whose fixed kernel holds a 1 where input position
 * indices[j] goes to output j (exact: the other products are zeros).
 */
function selectionKernels(layers: LayerSpec[], inputShapes: number[][][]): { name: string; shape: number[]; kernel: Float32Array }[] {
  const kernels: { name: string; shape: number[]; kernel: Float32Array }[] = [];
  layers.forEach((layer, index) => {
    if (layer.type !== "selectColumns") return;
    const shape = inputShapes[index][0];
    const width = shape[shape.length - 1];
    const indices = layer.indices!;
    const picked = indices.length;
    const kernel = new Float32Array(width * picked);
    indices.forEach((position, j) => (kernel[position * picked + j] = 1));
    kernels.push({ name: `${kerasLayerName(layer, index)}/kernel`, shape: [width, picked], kernel });
  });
  return kernels;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function sequentialTopology(chains: KerasLayer[][], inputShape: number[]): { class_name: "Sequential"; config: SequentialConfig } {
  const layers = chains.flat();
  layers[0].config.batch_input_shape = [null, ...inputShape];
  return { class_name: "Sequential", config: { name: "descent_model", layers } };
}

function functionalTopology(chains: KerasLayer[][], summaries: LayerSummary[], inputShape: number[]): { class_name: "Model"; config: FunctionalConfig } {
  const node = (name: string): [string, number, number, Record<string, never>] => [name, 0, 0, {}];
  const layers: FunctionalConfig["layers"] = [
    { class_name: "InputLayer", name: INPUT_LAYER_NAME, config: { name: INPUT_LAYER_NAME, batch_input_shape: [null, ...inputShape], dtype: "float32", sparse: false }, inbound_nodes: [] },
  ];
  const lastOfChain = (source: number) => (source < 0 ? INPUT_LAYER_NAME : (chains[source][chains[source].length - 1].config.name as string));
  chains.forEach((chain, index) => {
    let inbound = summaries[index].inputs.map((source) => node(lastOfChain(source)));
    for (const layer of chain) {
      const name = layer.config.name as string;
      layers.push({ ...layer, name, inbound_nodes: [inbound] });
      inbound = [node(name)];
    }
  });
  const output = lastOfChain(chains.length - 1);
  return { class_name: "Model", config: { name: "descent_model", layers, input_layers: [[INPUT_LAYER_NAME, 0, 0]], output_layers: [[output, 0, 0]] } };
}

function kerasLayerName(layer: LayerSpec, index: number): string {
  return `layer${index}_${layer.type}`;
}

/** The Keras layers one of descent's layers exports as, in order; the one carrying the weights is named kerasLayerName(). */
function kerasChain(layer: LayerSpec, index: number, inputShape: number[], trainable: boolean): KerasLayer[] {
  const name = kerasLayerName(layer, index);
  const chain: KerasLayer[] = [];
  const add = (className: string, layerName: string, config: Record<string, unknown>): void => {
    chain.push({ class_name: className, config: { name: layerName, trainable, dtype: "float32", ...config } });
  };
  // leakyRelu goes in a layer of its own after the main one, which stays linear.
  const mainActivation = (activation: ActivationName | undefined): string => (activation === "leakyRelu" ? "linear" : (activation ?? "linear"));
  const addLeakyReluAfter = (activation: ActivationName | undefined): void => {
    if (activation === "leakyRelu") add("LeakyReLU", `${name}_leaky_relu`, { alpha: LEAKY_RELU_ALPHA });
  };
  if ((layer.type === "dense" || layer.type === "batchNorm") && inputShape.length === 2) add("Flatten", `${name}_flatten`, {});
  switch (layer.type) {
    case "dense":
      add("Dense", name, { units: layer.units, activation: mainActivation(layer.activation), use_bias: layer.useBias !== false });
      addLeakyReluAfter(layer.activation);
      break;
    case "conv2d":
      add("Conv2D", name, {
        filters: layer.filters,
        kernel_size: pair(layer.kernelSize),
        strides: pair(layer.strides ?? 1),
        padding: layer.padding ?? "valid",
        data_format: "channels_last",
        dilation_rate: [1, 1],
        activation: mainActivation(layer.activation),
        use_bias: layer.useBias !== false,
      });
      addLeakyReluAfter(layer.activation);
      break;
    case "conv1d":
      add("Conv1D", name, {
        filters: layer.filters,
        kernel_size: [layer.kernelSize],
        strides: [layer.strides ?? 1],
        padding: layer.padding ?? "valid",
        dilation_rate: [layer.dilation ?? 1],
        activation: mainActivation(layer.activation),
        use_bias: layer.useBias !== false,
      });
      addLeakyReluAfter(layer.activation);
      break;
    case "maxPool1d":
    case "avgPool1d":
      add(layer.type === "maxPool1d" ? "MaxPooling1D" : "AveragePooling1D", name, { pool_size: [layer.poolSize], strides: [layer.strides ?? layer.poolSize], padding: layer.padding ?? "valid" });
      break;
    case "globalAveragePooling1d":
      add("GlobalAveragePooling1D", name, {});
      break;
    case "globalMaxPooling1d":
      add("GlobalMaxPooling1D", name, {});
      break;
    case "maxPool2d":
    case "avgPool2d":
      add(layer.type === "maxPool2d" ? "MaxPooling2D" : "AveragePooling2D", name, { pool_size: pair(layer.poolSize), strides: pair(layer.strides ?? layer.poolSize), padding: layer.padding ?? "valid", data_format: "channels_last" });
      break;
    case "globalAveragePooling2d":
      add("GlobalAveragePooling2D", name, { data_format: "channels_last" });
      break;
    case "flatten":
      add("Flatten", name, {});
      break;
    case "dropout":
      add("Dropout", name, { rate: layer.rate });
      break;
    case "batchNorm":
      add("BatchNormalization", name, { axis: -1, momentum: layer.momentum ?? 0.99, epsilon: layer.epsilon ?? 1e-3, center: true, scale: true });
      break;
    case "embedding":
      add("Embedding", name, { input_dim: layer.inputDim, output_dim: layer.outputDim, mask_zero: false });
      break;
    case "layerNormalization":
      add("LayerNormalization", name, { axis: -1, epsilon: layer.epsilon ?? 1e-3, center: true, scale: true });
      break;
    case "activation":
      if (layer.activation === "leakyRelu") add("LeakyReLU", name, { alpha: LEAKY_RELU_ALPHA });
      else add("Activation", name, { activation: layer.activation });
      break;
    case "lstm":
    case "gru":
      add(layer.type === "lstm" ? "LSTM" : "GRU", name, {
        units: layer.units,
        activation: "tanh",
        recurrent_activation: "sigmoid",
        use_bias: layer.useBias !== false,
        return_sequences: layer.returnSequences === true,
        ...(layer.type === "lstm" ? { unit_forget_bias: true } : { reset_after: false }),
      });
      break;
    case "selectColumns":
      // trainable: false whatever the layer's place: its kernel is a fixed selection (selectionKernels).
      chain.push({ class_name: "Dense", config: { name, trainable: false, dtype: "float32", units: layer.indices!.length, activation: "linear", use_bias: false } });
      break;
    case "add":
      add("Add", name, {});
      break;
    case "concatenate":
      add("Concatenate", name, { axis: -1 });
      break;
    case "multiHeadAttention":
    case "positionEmbedding":
      throw new ExportError(
        `layer ${index} (${layer.type}) has no TensorFlow.js layers equivalent: tfjs-layers 4.22 has no MultiHeadAttention nor position embedding, and a layers-model JSON cannot carry custom code; use the weights (GET /v1/models/{id}/weights, laid out as the weight manifest says) or predict through descent`,
        index,
        layer.type,
      );
    default:
      throw new ExportError(`layer ${index} (${(layer as LayerSpec).type}) has no TensorFlow.js equivalent`, index, (layer as LayerSpec).type);
  }
  return chain;
}

function pair(size: Size2d): [number, number] {
  return typeof size === "number" ? [size, size] : [size[0], size[1]];
}
