import { TrainingError } from "../errors.js";
import { asNetwork, type NeuralNetwork } from "../model.js";
import { createOptimizer } from "../optimizers/createOptimizer.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import { Prng } from "../random.js";
import { checkTrainingConfig } from "../spec.js";
import type { EpochMetrics, FitCallbacks, FitResult, FinalMetrics, Model, TrainingConfig, TrainingData } from "../types.js";
import { countCorrect } from "./accuracy.js";
import { BatchGraphs } from "./batchGraphs.js";
import { now, yieldToEventLoop } from "./clock.js";
import { evaluate } from "./evaluate.js";
import { splitSamples } from "./split.js";
import { encodeTargets, type EncodedTargets } from "./targets.js";
import { TRAINING_STREAM } from "../model.js";

// The event loop gets a turn at least this often (ms of training), so that
// the worker's I/O and lock renewals are not starved.
const YIELD_INTERVAL_MS = 10;

/** Everything one fit() works with, set up once. */
interface Session {
  network: NeuralNetwork;
  config: TrainingConfig;
  callbacks: FitCallbacks;
  data: TrainingData;
  targets: EncodedTargets;
  graphs: BatchGraphs;
  optimizer: Optimizer;
  rng: Prng;
  train: Int32Array;
  validation: Int32Array;
  lastYield: number;
}

/**
 * Trains the model in place: mini-batches over a seeded shuffle, an optimizer
 * step per batch, validation and metrics per epoch. Awaits the callbacks, and
 * gives the event loop a turn between batches. Throws TrainingError on a
 * non-finite loss, naming the epoch and batch.
 */
export async function fit(model: Model, data: TrainingData, config: TrainingConfig, callbacks: FitCallbacks = {}): Promise<FitResult> {
  const session = startSession(asNetwork(model), data, config, callbacks);
  const epochs: EpochMetrics[] = [];
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const outcome = await runEpoch(session, epoch);
    if (outcome.cancelled) {
      return { epochs, stopped: "cancelled", finalMetrics: epochs.length > 0 ? finalOf(epochs[epochs.length - 1]) : { loss: outcome.loss } };
    }
    const metrics: EpochMetrics = { epoch, loss: outcome.loss, learningRate: config.optimizer.learningRate, durationMs: outcome.durationMs };
    if (outcome.accuracy !== undefined) metrics.accuracy = outcome.accuracy;
    if (session.validation.length > 0) {
      const validation = evaluate(session.network, session.graphs, session.targets, data.x, session.validation, config.batchSize);
      metrics.valLoss = validation.loss;
      if (validation.accuracy !== undefined) metrics.valAccuracy = validation.accuracy;
    }
    epochs.push(metrics);
    await callbacks.onEpochEnd?.(metrics);
  }
  return { epochs, stopped: "completed", finalMetrics: finalOf(epochs[epochs.length - 1]) };
}

function startSession(network: NeuralNetwork, data: TrainingData, config: TrainingConfig, callbacks: FitCallbacks): Session {
  checkTrainingConfig(config);
  if (!Number.isInteger(data.numSamples) || data.numSamples < 1) throw new TrainingError("INVALID_DATA", `numSamples must be a positive integer, got ${data.numSamples}`, 0, 0);
  if (data.x.length !== data.numSamples * network.inputSize) {
    throw new TrainingError("INVALID_DATA", `x has ${data.x.length} values; ${data.numSamples} samples of ${network.inputSize} features need ${data.numSamples * network.inputSize}`, 0, 0);
  }
  const targets = encodeTargets(data.y, data.numSamples, config.loss, network.outputSize);
  const rng = new Prng(config.seed, TRAINING_STREAM);
  network.context.rng = rng;
  const { train, validation } = splitSamples(data.numSamples, config.validationSplit ?? 0, rng, targets.labels, false);
  if (train.length === 0) throw new TrainingError("INVALID_DATA", "the validation split leaves no training sample", 0, 0);
  return {
    network,
    config,
    callbacks,
    data,
    targets,
    graphs: new BatchGraphs(network, config.loss, targets),
    optimizer: createOptimizer(config.optimizer, network.trainableWeights),
    rng,
    train,
    validation,
    lastYield: now(),
  };
}

interface EpochOutcome {
  cancelled: boolean;
  loss: number;
  accuracy?: number;
  durationMs: number;
}

async function runEpoch(session: Session, epoch: number): Promise<EpochOutcome> {
  const { network, config, callbacks, graphs, targets, train } = session;
  if (config.shuffle ?? true) session.rng.shuffle(train);
  const batches = Math.ceil(train.length / config.batchSize);
  let lossSum = 0;
  let seen = 0;
  let correct = 0;
  let counted = 0;
  let durationMs = 0;

  for (let b = 0; b < batches; b++) {
    if (callbacks.shouldStop?.()) return { cancelled: true, loss: seen > 0 ? lossSum / seen : NaN, durationMs };
    const started = now();
    const start = b * config.batchSize;
    const batch = graphs.get(Math.min(config.batchSize, train.length - start));
    graphs.load(batch, session.data.x, train, start);
    network.context.training = true;
    batch.graph.forward();
    const loss = batch.loss.data[0];
    if (!Number.isFinite(loss)) {
      throw new TrainingError("NON_FINITE_LOSS", `the loss became ${loss} at epoch ${epoch}, batch ${b + 1}: training diverged (try a lower learning rate)`, epoch, b + 1);
    }
    batch.graph.backward();
    session.optimizer.step(config.optimizer.learningRate);

    lossSum += loss * batch.rows;
    seen += batch.rows;
    const hits = countCorrect(targets.accuracy, batch.output.data, batch.rows, network.outputSize, batch.labels, batch.target.data, graphs.outputIsLogits);
    correct += hits.correct;
    counted += hits.total;
    const finished = now();
    durationMs += finished - started;

    const pending = callbacks.onBatchEnd?.({ epoch, batch: b + 1, batches, loss });
    if (pending) await pending;
    if (finished - session.lastYield >= YIELD_INTERVAL_MS) {
      await yieldToEventLoop();
      session.lastYield = now();
    }
  }
  network.context.training = false;
  const outcome: EpochOutcome = { cancelled: false, loss: lossSum / seen, durationMs };
  if (targets.accuracy !== null) outcome.accuracy = correct / counted;
  return outcome;
}

function finalOf(metrics: EpochMetrics): FinalMetrics {
  const final: FinalMetrics = { loss: metrics.loss };
  if (metrics.accuracy !== undefined) final.accuracy = metrics.accuracy;
  if (metrics.valLoss !== undefined) final.valLoss = metrics.valLoss;
  if (metrics.valAccuracy !== undefined) final.valAccuracy = metrics.valAccuracy;
  return final;
}
