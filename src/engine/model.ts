import { cloneJson } from "./clone-json.js";
import type { ForwardContext } from "./context.js";
import { initializeWeights } from "./initializers.js";
import { describeInvalidId, embeddingIdLimit, findInvalidId, type IdLimit } from "./input-ids.js";
import { flatSize } from "./layers/layer.js";
import { layerKindOf } from "./layers/layer-kinds.js";
import { isMergeSpec, mergeKinds } from "./layers/merge-layers.js";
import { planModel } from "./model-plan.js";
import { Prng } from "./random.js";
import { outputActivation } from "./spec.js";
import { Graph, Tensor } from "./tensor.js";
import type { ActivationName, Model, ModelSpec } from "./types.js";

/** A weight with the name it is saved under, e.g. "layer0/dense/kernel". */
export interface NamedWeight {
  name: string;
  tensor: Tensor;
  /** Updated by the optimizer: false for batchNorm's running statistics and for every weight of a frozen layer. */
  trainable: boolean;
  /** Index of the layer that owns it. */
  layer: number;
}

// PRNG streams: one seed, independent sequences for initialization and training.
export const INIT_STREAM = 0;
export const TRAINING_STREAM = 1;

// predict() runs in chunks of this many rows, over graphs cached by chunk size.
const PREDICT_CHUNK = 256;
const MAX_CACHED_PREDICT_GRAPHS = 4;

interface ForwardGraph {
  input: Tensor;
  output: Tensor;
  graph: Graph;
}

/** The engine's model: the spec, its weights, and the graphs built over them. */
export class NeuralNetwork implements Model {
  readonly spec: ModelSpec;
  readonly parameterCount: number;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Layers before this index are frozen (spec.frozenLayers). */
  readonly frozenLayers: number;
  /** Activation of the output (a loss may fuse it: softmax, sigmoid). */
  readonly outputActivation: ActivationName;
  /** Every weight, in layer order; this order is the order of the saved buffer. */
  readonly weights: NamedWeight[] = [];
  readonly context: ForwardContext;
  private readonly layerWeights: Tensor[][] = [];
  /** The ids the model's embeddings take (null: none), checked on every input before it reaches them. */
  readonly idLimit: IdLimit | null;
  /** Per layer, where its inputs come from (layer indices; -1 is the model's input). */
  private readonly layerInputs: number[][];
  private readonly predictGraphs = new Map<number, ForwardGraph>();

  constructor(spec: ModelSpec, seed: number) {
    const plan = planModel(spec);
    const summaries = plan.summaries;
    this.spec = cloneJson(spec);
    this.inputSize = flatSize(spec.inputShape);
    this.frozenLayers = spec.frozenLayers ?? 0;
    this.outputSize = flatSize(summaries[summaries.length - 1].outputShape);
    this.parameterCount = summaries.reduce((sum, s) => sum + s.parameterCount, 0);
    this.outputActivation = outputActivation(spec);
    this.layerInputs = summaries.map((summary) => summary.inputs);
    this.idLimit = embeddingIdLimit(spec);
    const rng = new Prng(seed, INIT_STREAM);
    this.context = { training: false, rng: new Prng(seed, TRAINING_STREAM) };

    spec.layers.forEach((layer, index) => {
      const tensors: Tensor[] = [];
      const definitions = isMergeSpec(layer) ? [] : layerKindOf(layer).weights(layer, plan.inputShapes[index][0]);
      for (const definition of definitions) {
        // A frozen weight needs no gradient, so backward stops where only frozen layers lie upstream.
        const trainable = definition.trainable && index >= this.frozenLayers;
        const tensor = Tensor.zeros(definition.shape, trainable);
        initializeWeights(tensor.data, definition.initializer, definition.fanIn, definition.fanOut, rng);
        tensors.push(tensor);
        this.weights.push({ name: `layer${index}/${layer.type}/${definition.name}`, tensor, trainable, layer: index });
      }
      this.layerWeights.push(tensors);
    });
  }

  get trainableWeights(): Tensor[] {
    return this.weights.filter((w) => w.trainable).map((w) => w.tensor);
  }

  /** Adds every layer's ops on `input`, following the graph; the last layer leaves out its activation when a loss fuses it. */
  buildForward(input: Tensor, withoutFinalActivation: boolean): Tensor {
    // Ops run their forward once while being built; in evaluation mode that
    // draws no dropout mask and leaves batchNorm's running statistics alone.
    const training = this.context.training;
    this.context.training = false;
    const outputs: Tensor[] = [];
    const last = this.spec.layers.length - 1;
    this.spec.layers.forEach((layer, index) => {
      const xs = this.layerInputs[index].map((source) => (source < 0 ? input : outputs[source]));
      outputs.push(
        isMergeSpec(layer)
          ? mergeKinds[layer.type].apply(xs)
          : layerKindOf(layer).apply(layer, xs[0], this.layerWeights[index], this.context, withoutFinalActivation && index === last, index < this.frozenLayers),
      );
    });
    this.context.training = training;
    return outputs[last];
  }

  /** A batch of `rows` inputs: [rows, ...inputShape]. */
  inputTensor(rows: number): Tensor {
    return Tensor.zeros([rows, ...this.spec.inputShape]);
  }

  predict(x: Float32Array, numSamples: number): Float32Array {
    if (x.length !== numSamples * this.inputSize) {
      throw new Error(`predict: expected ${numSamples} x ${this.inputSize} = ${numSamples * this.inputSize} values, got ${x.length}`);
    }
    const invalid = findInvalidId(this.idLimit, x, numSamples);
    if (invalid) throw new Error(`predict: sample ${invalid.sample}, position ${invalid.position}: ${describeInvalidId(invalid)}`);
    this.context.training = false;
    const result = new Float32Array(numSamples * this.outputSize);
    for (let start = 0; start < numSamples; start += PREDICT_CHUNK) {
      const rows = Math.min(PREDICT_CHUNK, numSamples - start);
      const forward = this.predictGraph(rows);
      forward.input.data.set(x.subarray(start * this.inputSize, (start + rows) * this.inputSize));
      forward.graph.forward();
      result.set(forward.output.data, start * this.outputSize);
    }
    return result;
  }

  private predictGraph(rows: number): ForwardGraph {
    let forward = this.predictGraphs.get(rows);
    if (forward === undefined) {
      if (this.predictGraphs.size >= MAX_CACHED_PREDICT_GRAPHS) this.predictGraphs.delete(this.predictGraphs.keys().next().value!);
      const input = this.inputTensor(rows);
      const output = this.buildForward(input, false);
      forward = { input, output, graph: new Graph([output]) };
      this.predictGraphs.set(rows, forward);
    }
    return forward;
  }
}

/** Builds a model from its spec (throws SpecError) with weights initialized from `seed`. */
export function createModel(spec: ModelSpec, seed: number): Model {
  return new NeuralNetwork(spec, seed);
}

/** The engine's own model behind the public Model interface. */
export function asNetwork(model: Model): NeuralNetwork {
  if (!(model instanceof NeuralNetwork)) throw new Error("expected a model made by createModel()");
  return model;
}
