import { LEAKY_RELU_ALPHA } from "./ops/leaky-relu.js";
import { asNetwork } from "./model.js";
import { summarizeModel } from "./spec.js";
import type { ActivationName, LayerSpec, Model, Size2d } from "./types.js";
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
 *   - dense and batchNorm on a rank-2 input ([a, b], which descent flattens) get a Flatten first.
 * Frozen layers (spec.frozenLayers) are exported with trainable: false.
 */
export interface TfjsExport {
  modelJson: TfjsModelJson;
  weightsBin: Uint8Array;
}

export interface TfjsModelJson {
  format: "layers-model";
  generatedBy: string;
  convertedBy: null;
  modelTopology: { class_name: "Sequential"; config: { name: string; layers: KerasLayer[] }; keras_version: string; backend: string };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: "float32" }[] }[];
}

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

// Which Keras weight name each of descent's weights is saved under.
const KERAS_WEIGHT_NAMES: Record<string, string> = { kernel: "kernel", bias: "bias", gamma: "gamma", beta: "beta", movingMean: "moving_mean", movingVariance: "moving_variance" };

export function exportTfjs(model: Model): TfjsExport {
  const network = asNetwork(model);
  const spec = network.spec;
  const summaries = summarizeModel(spec);
  const layers: KerasLayer[] = [];
  const kerasNameOfLayer: string[] = [];
  let shape = spec.inputShape;

  const add = (className: string, name: string, config: Record<string, unknown>, trainable: boolean): void => {
    const layer: KerasLayer = { class_name: className, config: { name, trainable, dtype: "float32", ...config } };
    if (layers.length === 0) layer.config.batch_input_shape = [null, ...spec.inputShape];
    layers.push(layer);
  };

  spec.layers.forEach((layer, index) => {
    const trainable = index >= network.frozenLayers;
    const name = `layer${index}_${layer.type}`;
    kerasNameOfLayer.push(name);
    const mainActivation = (activation: ActivationName | undefined): string => {
      // Returns the activation the main layer takes; leakyRelu goes in a layer of its own after it.
      return activation === "leakyRelu" ? "linear" : (activation ?? "linear");
    };
    const addLeakyReluAfter = (activation: ActivationName | undefined): void => {
      if (activation === "leakyRelu") add("LeakyReLU", `${name}_leaky_relu`, { alpha: LEAKY_RELU_ALPHA }, trainable);
    };
    if ((layer.type === "dense" || layer.type === "batchNorm") && shape.length === 2) add("Flatten", `${name}_flatten`, {}, trainable);
    switch (layer.type) {
      case "dense":
        add("Dense", name, { units: layer.units, activation: mainActivation(layer.activation), use_bias: layer.useBias !== false }, trainable);
        addLeakyReluAfter(layer.activation);
        break;
      case "conv2d":
        add(
          "Conv2D",
          name,
          {
            filters: layer.filters,
            kernel_size: pair(layer.kernelSize),
            strides: pair(layer.strides ?? 1),
            padding: layer.padding ?? "valid",
            data_format: "channels_last",
            dilation_rate: [1, 1],
            activation: mainActivation(layer.activation),
            use_bias: layer.useBias !== false,
          },
          trainable,
        );
        addLeakyReluAfter(layer.activation);
        break;
      case "maxPool2d":
      case "avgPool2d":
        add(layer.type === "maxPool2d" ? "MaxPooling2D" : "AveragePooling2D", name, { pool_size: pair(layer.poolSize), strides: pair(layer.strides ?? layer.poolSize), padding: layer.padding ?? "valid", data_format: "channels_last" }, trainable);
        break;
      case "globalAveragePooling2d":
        add("GlobalAveragePooling2D", name, { data_format: "channels_last" }, trainable);
        break;
      case "flatten":
        add("Flatten", name, {}, trainable);
        break;
      case "dropout":
        add("Dropout", name, { rate: layer.rate }, trainable);
        break;
      case "batchNorm":
        add("BatchNormalization", name, { axis: -1, momentum: layer.momentum ?? 0.99, epsilon: layer.epsilon ?? 1e-3, center: true, scale: true }, trainable);
        break;
      case "activation":
        if (layer.activation === "leakyRelu") add("LeakyReLU", name, { alpha: LEAKY_RELU_ALPHA }, trainable);
        else add("Activation", name, { activation: layer.activation }, trainable);
        break;
      default:
        throw new Error(`exportTfjs: layer ${index} of type ${(layer as LayerSpec).type} has no TensorFlow.js equivalent`);
    }
    shape = summaries[index].outputShape;
  });

  const { manifest, data } = exportWeights(model);
  const weights = manifest.map((entry, w) => {
    const owner = network.weights[w];
    const short = entry.name.slice(entry.name.lastIndexOf("/") + 1);
    return { name: `${kerasNameOfLayer[owner.layer]}/${KERAS_WEIGHT_NAMES[short]}`, shape: entry.shape, dtype: "float32" as const };
  });
  return {
    modelJson: {
      format: "layers-model",
      generatedBy: "descent",
      convertedBy: null,
      modelTopology: { class_name: "Sequential", config: { name: "descent_model", layers }, keras_version: "tfjs-layers 4.22.0", backend: "tensor_flow.js" },
      weightsManifest: [{ paths: ["weights.bin"], weights }],
    },
    weightsBin: data,
  };
}

function pair(size: Size2d): [number, number] {
  return typeof size === "number" ? [size, size] : [size[0], size[1]];
}
