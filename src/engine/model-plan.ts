import { BOUNDS, MODEL_INPUT, describeBound, withinBound } from "./contract.js";
import { SpecError } from "./errors.js";
import { forwardFlops } from "./flops.js";
import { layerError } from "./layers/checks.js";
import { flatSize } from "./layers/layer.js";
import { layerKindOf, layerKinds } from "./layers/layer-kinds.js";
import { isMergeSpec, mergeKinds } from "./layers/merge-layers.js";
import type { LayerSpec, LayerSummary, ModelSpec } from "./types.js";

/**
 * A model's graph, worked out from its spec on shapes alone: where each
 * layer's inputs come from and what shapes flow along every edge. The model
 * builds its ops from it; the API validates specs with it before queuing.
 */
export interface ModelPlan {
  /** Per layer: output shape, parameters, FLOPs, name, and `inputs` (indices; -1 is the model's input). */
  summaries: LayerSummary[];
  /** Per layer: the shapes of its inputs, in the order of `summaries[i].inputs`. */
  inputShapes: number[][][];
}

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** The model's input itself, or columns of it (selectColumns on the input): where an embedding's ids may come from. */
function readsModelInput(source: number, layers: LayerSpec[], summaries: LayerSummary[]): boolean {
  return source === -1 || (layers[source].type === "selectColumns" && summaries[source].inputs[0] === -1);
}

/** Throws SpecError naming the layer and the JSON pointer of the field when the spec cannot work. */
export function planModel(spec: ModelSpec): ModelPlan {
  checkInputShape(spec);
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) throw new SpecError("a model needs at least one layer", "/model/layers");
  if (!withinBound(spec.layers.length, BOUNDS.layers)) throw new SpecError(`a model has ${describeBound(BOUNDS.layers)} layers, this one ${spec.layers.length}`, "/model/layers");
  spec.layers.forEach(checkLayerType);
  const indexOfName = layerNames(spec.layers);

  const summaries: LayerSummary[] = [];
  const inputShapes: number[][][] = [];
  const shapeOf = (source: number) => (source < 0 ? [...spec.inputShape] : summaries[source].outputShape);
  spec.layers.forEach((layer, index) => {
    const inputs = layerSources(layer, index, indexOfName);
    if (layer.type === "embedding" && !readsModelInput(inputs[0], spec.layers, summaries)) {
      throw layerError(
        index,
        "embedding",
        layer.inputs ? "inputs" : null,
        `an embedding reads integer ids from the model's input: make it the first layer, give it "inputs": ["${MODEL_INPUT}"], or a selectColumns layer that reads the input`,
      );
    }
    const shapes = inputs.map(shapeOf);
    let outputShape: number[];
    let parameterCount = 0;
    let kernelSize = 0;
    if (isMergeSpec(layer)) {
      outputShape = mergeKinds[layer.type].outputShape(layer, shapes, inputs.map((source) => describeSource(source, spec.layers)), index);
    } else {
      const kind = layerKindOf(layer);
      outputShape = kind.outputShape(layer, shapes[0], index);
      const weights = kind.weights(layer, shapes[0]);
      parameterCount = weights.reduce((sum, w) => sum + flatSize(w.shape), 0);
      kernelSize = weights.filter((w) => w.name === "kernel").reduce((sum, w) => sum + flatSize(w.shape), 0);
    }
    const summary: LayerSummary = { index, type: layer.type, outputShape, parameterCount, flops: forwardFlops(layer, shapes[0], outputShape, kernelSize), inputs };
    if (layer.name !== undefined) summary.name = layer.name;
    summaries.push(summary);
    inputShapes.push(shapes);
  });
  checkEveryOutputUsed(spec.layers, summaries);

  const frozen: unknown = spec.frozenLayers;
  if (frozen !== undefined && !(withinBound(frozen, BOUNDS.frozenLayers) && frozen <= spec.layers.length)) {
    throw new SpecError(`frozenLayers must be an integer from 0 to the number of layers (${spec.layers.length}), got ${JSON.stringify(frozen)}`, "/model/frozenLayers");
  }
  return { summaries, inputShapes };
}

function checkInputShape(spec: ModelSpec): void {
  if (spec === null || typeof spec !== "object") throw new SpecError("the model spec must be an object", "/model");
  const shape: unknown = spec.inputShape;
  if (!Array.isArray(shape) || !withinBound(shape.length, BOUNDS.inputRank) || !shape.every((d) => withinBound(d, BOUNDS.inputDimension))) {
    throw new SpecError(
      `inputShape must be a list of ${describeBound(BOUNDS.inputRank)} dimensions, each ${describeBound(BOUNDS.inputDimension)}, got ${JSON.stringify(shape)}`,
      "/model/inputShape",
    );
  }
}

function checkLayerType(layer: LayerSpec, index: number): void {
  if (layer === null || typeof layer !== "object" || !(layer.type in layerKinds || isMergeSpec(layer))) {
    const type = JSON.stringify((layer as { type?: unknown } | null)?.type);
    const known = [...Object.keys(layerKinds), ...Object.keys(mergeKinds)].join(", ");
    throw new SpecError(`layer ${index}: unknown type ${type}; expected one of ${known}`, `/model/layers/${index}/type`, index);
  }
}

/** Each name once, in the allowed characters, and never the model input's. */
function layerNames(layers: LayerSpec[]): Map<string, number> {
  const indexOfName = new Map<string, number>();
  layers.forEach((layer, index) => {
    const name: unknown = layer.name;
    if (name === undefined) return;
    if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
      throw layerError(index, layer.type, "name", `name must be 1 to 64 letters, digits, "_", "-" or ".", got ${JSON.stringify(name)}`);
    }
    if (name === MODEL_INPUT) throw layerError(index, layer.type, "name", `"${MODEL_INPUT}" names the model's input; choose another name`);
    const earlier = indexOfName.get(name);
    if (earlier !== undefined) throw layerError(index, layer.type, "name", `the name "${name}" is already layer ${earlier}'s; names must be unique`);
    indexOfName.set(name, index);
  });
  return indexOfName;
}

/** Where a layer's inputs come from: its `inputs` by name, else the previous layer (the model's input for the first). */
function layerSources(layer: LayerSpec, index: number, indexOfName: Map<string, number>): number[] {
  const merge = isMergeSpec(layer);
  const inputs: unknown = layer.inputs;
  if (inputs === undefined) {
    if (merge) throw layerError(index, layer.type, "inputs", `${layer.type} needs "inputs": ${describeBound(BOUNDS.mergeInputs)} earlier layers by name (or "${MODEL_INPUT}")`);
    return [index - 1];
  }
  if (!Array.isArray(inputs) || !inputs.every((name) => typeof name === "string")) throw layerError(index, layer.type, "inputs", "inputs must be a list of layer names");
  if (merge && !withinBound(inputs.length, BOUNDS.mergeInputs)) {
    throw layerError(index, layer.type, "inputs", `${layer.type} takes ${describeBound(BOUNDS.mergeInputs)} inputs, got ${inputs.length}`);
  }
  if (!merge && inputs.length !== 1) {
    throw layerError(index, layer.type, "inputs", `takes one input, got ${inputs.length}; join several first with an add or concatenate layer`);
  }
  return (inputs as string[]).map((name, k) => {
    if (name === MODEL_INPUT) return -1;
    const source = indexOfName.get(name);
    const at = `inputs/${k}`;
    if (source === undefined) {
      const names = [...indexOfName.keys()];
      throw layerError(index, layer.type, at, `no layer is named "${name}"; ${names.length > 0 ? `the names are ${names.map((n) => `"${n}"`).join(", ")} and` : "the only name is"} "${MODEL_INPUT}" (the model's input)`);
    }
    if (source === index) throw layerError(index, layer.type, at, `a layer cannot take its own output (that would be a cycle)`);
    if (source > index) {
      throw layerError(index, layer.type, at, `"${name}" is layer ${source}, after this one: a layer takes inputs only from earlier layers (list layers so that inputs come first; this also rules out cycles)`);
    }
    return source;
  });
}

function describeSource(source: number, layers: LayerSpec[]): string {
  if (source < 0) return `"${MODEL_INPUT}"`;
  const layer = layers[source];
  return layer.name !== undefined ? `"${layer.name}"` : `layer ${source} (${layer.type})`;
}

/** What the error about a layer whose output goes nowhere says (transfer.ts rewrites it when dropped layers caused it). */
export const UNUSED_OUTPUT = "no later layer takes this layer's output";

/** The last layer is the model's output; any other layer whose output nothing takes is a mistake in the wiring. */
function checkEveryOutputUsed(layers: LayerSpec[], summaries: LayerSummary[]): void {
  const used = new Set(summaries.flatMap((summary) => summary.inputs));
  layers.forEach((layer, index) => {
    if (index < layers.length - 1 && !used.has(index)) {
      throw layerError(index, layer.type, null, `${UNUSED_OUTPUT}, and only the last layer is the model's output; connect it (inputs) or remove it`);
    }
  });
}
