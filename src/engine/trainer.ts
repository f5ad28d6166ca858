import { TrainingError } from "./errors.js";
import type { KernelExecutor } from "./kernels/executor.js";
import { asNetwork, TRAINING_STREAM, type NeuralNetwork } from "./model.js";
import { createOptimizer } from "./optimizers/create-optimizer.js";
import type { Optimizer } from "./optimizers/optimizer.js";
import { Prng } from "./random.js";
import { BatchGraphs } from "./training/batch-graphs.js";
import { encodeTargets, type EncodedTargets } from "./training/targets.js";
import { trainStep } from "./training/train-step.js";
import type { LossName, Model, OptimizerConfig } from "./types.js";
import { describeInvalidId, findInvalidId } from "./input-ids.js";

export interface TrainerOptions {
  loss: LossName;
  optimizer: OptimizerConfig;
  /** Seeds the dropout masks, as fit's `seed` does. Default 0. */
  seed?: number;
  /** Spreads large kernel calls over threads (src/parallel); same results as without. */
  executor?: KernelExecutor;
}

export interface Trainer {
  /**
   * One optimizer step on n samples (x: n x inputs, row-major; y as fit's
   * TrainingData.y: class indices, one-hot rows or targets). Returns the
   * batch's mean loss. The optimizer's state carries over from call to call;
   * the learning rate is the optimizer's (no schedule).
   */
  trainOnBatch(x: Float32Array, y: Float32Array | Int32Array, n: number): number;
}

/**
 * Training step by step, for callers that bring their own batches (the
 * benchmarks, outside tools). A step is exactly one batch of fit() on the same
 * samples with the same seed, optimizer and loss.
 */
export function createTrainer(model: Model, options: TrainerOptions): Trainer {
  const network = asNetwork(model);
  network.context.rng = new Prng(options.seed ?? 0, TRAINING_STREAM);
  const optimizer = createOptimizer(options.optimizer, network.trainableWeights);
  const executor = options.executor ?? null;
  let graphs: BatchGraphs | null = null;
  let shape: { width: number; sparse: boolean } | null = null;
  const orders = new Map<number, Int32Array>();
  let steps = 0;
  return {
    trainOnBatch(x, y, n) {
      if (!Number.isInteger(n) || n < 1) throw new TrainingError("INVALID_DATA", `trainOnBatch: n must be a positive integer, got ${n}`, 0, steps + 1);
      if (x.length !== n * network.inputSize) throw new TrainingError("INVALID_DATA", `trainOnBatch: x has ${x.length} values; ${n} samples of ${network.inputSize} features need ${n * network.inputSize}`, 0, steps + 1);
      const invalid = findInvalidId(network.idLimit, x, n);
      if (invalid) throw new TrainingError("INVALID_DATA", `trainOnBatch: sample ${invalid.sample}, position ${invalid.position}: ${describeInvalidId(invalid)}`, 0, steps + 1);
      const targets = encodeTargets(y instanceof Float32Array ? y : Float32Array.from(y), n, options.loss, network.outputSize);
      shape ??= { width: targets.width, sparse: targets.sparse };
      if (targets.width !== shape.width || targets.sparse !== shape.sparse) {
        throw new TrainingError("INVALID_DATA", `trainOnBatch: y has ${targets.width} value(s) per sample, earlier batches had ${shape.width}`, 0, steps + 1);
      }
      graphs ??= new BatchGraphs(network, options.loss, targets);
      return step(network, graphs, optimizer, options.optimizer.learningRate, executor, x, targets, identity(orders, n), ++steps);
    },
  };
}

function step(network: NeuralNetwork, graphs: BatchGraphs, optimizer: Optimizer, learningRate: number, executor: KernelExecutor | null, x: Float32Array, targets: EncodedTargets, order: Int32Array, count: number): number {
  const batch = graphs.get(order.length);
  graphs.load(batch, { x, targets }, order, 0);
  return trainStep(network, batch, optimizer, learningRate, executor, 0, count);
}

/** 0, 1, ..., n - 1, kept per batch size. */
function identity(orders: Map<number, Int32Array>, n: number): Int32Array {
  let order = orders.get(n);
  if (order === undefined) {
    order = Int32Array.from({ length: n }, (_, i) => i);
    orders.set(n, order);
  }
  return order;
}

/** The model's outputs for n samples (n x outputs, row-major; final softmax or sigmoid applied). */
export function predict(model: Model, x: Float32Array, n: number): Float32Array {
  return asNetwork(model).predict(x, n);
}
