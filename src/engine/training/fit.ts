import { Augmenter } from "../augmentation/augmenter.js";
import { SpecError, TrainingError } from "../errors.js";
import { describeInvalidId, findInvalidId } from "../input-ids.js";
import { useExecutor, type KernelExecutor } from "../kernels/executor.js";
import { asNetwork, TRAINING_STREAM, type NeuralNetwork } from "../model.js";
import { createOptimizer } from "../optimizers/create-optimizer.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import { Prng } from "../random.js";
import { checkTrainingConfig } from "../spec.js";
import type { EpochInProgress, EpochMetrics, FitCallbacks, FitOptions, FitResult, FinalMetrics, LiveChanges, Model, TrainingCheckpoint, TrainingConfig, TrainingData } from "../types.js";
import { exportWeights, importWeights } from "../weights.js";
import { AbsoluteErrorCounter } from "./absolute-error.js";
import { AccuracyCounter } from "./accuracy.js";
import { BatchGraphs, type EncodedDataset } from "./batch-graphs.js";
import { classMetricsOf } from "./class-metrics.js";
import { now, yieldToEventLoop } from "./clock.js";
import { EarlyStopping } from "./early-stopping.js";
import { evaluate } from "./evaluate.js";
import { LearningRateScheduler } from "./schedules.js";
import { splitSamples } from "./split.js";
import { encodeTargets } from "./targets.js";
import { trainStep } from "./train-step.js";

// The event loop gets a turn at least this often (ms of training), so that
// the worker's I/O and lock renewals are not starved.
const YIELD_INTERVAL_MS = 10;

/** Everything one fit() works with, set up once. */
interface Session {
  network: NeuralNetwork;
  config: TrainingConfig;
  callbacks: FitCallbacks;
  training: EncodedDataset;
  /** The training samples (ascending) and this epoch's order of them. */
  trainSamples: Int32Array;
  order: Int32Array;
  validation: EncodedDataset | null;
  validationSamples: Int32Array;
  graphs: BatchGraphs;
  /** Transforms training batches; null without augmentation. */
  augmenter: Augmenter | null;
  optimizer: Optimizer;
  scheduler: LearningRateScheduler;
  earlyStopping: EarlyStopping | null;
  /** The best epoch's weights, kept when earlyStopping.restoreBestWeights. */
  bestWeights: Uint8Array | null;
  /** Predicted class per validation sample at the end of epoch `predictedEpoch` (classMetrics); null without class labels. */
  predicted: Int32Array | null;
  predictedEpoch: number;
  /** The same for the best epoch, when its weights are to be restored. */
  bestPredicted: Int32Array | null;
  bestPredictedEpoch: number;
  executor: KernelExecutor | null;
  rng: Prng;
  batchesPerEpoch: number;
  /** Epochs in all: the config's, unless a live change moved it. */
  epochs: number;
  history: EpochMetrics[];
  firstEpoch: number;
  /** The interrupted epoch a mid-epoch checkpoint resumes, until trainEpoch picks it up. */
  pending: EpochInProgress | null;
  lastYield: number;
}

/**
 * Trains the model in place: mini-batches over a seeded shuffle, an optimizer
 * step per batch, validation, metrics, learning-rate schedule and early
 * stopping per epoch. Awaits the callbacks and gives the event loop a turn
 * between batches. Throws TrainingError on a non-finite loss, naming the
 * epoch and batch.
 */
export async function fit(model: Model, data: TrainingData, config: TrainingConfig, callbacks: FitCallbacks = {}, options: FitOptions = {}): Promise<FitResult> {
  const session = startSession(asNetwork(model), data, config, callbacks, options);
  let stopped: FitResult["stopped"] = "completed";
  let partialLoss = NaN;
  let stopCheckpoint: TrainingCheckpoint | undefined;
  for (let epoch = session.firstEpoch; epoch <= session.epochs; epoch++) {
    const outcome = await trainEpoch(session, epoch);
    if (outcome.inProgress) {
      stopped = "cancelled";
      partialLoss = outcome.loss;
      // Taken before finish(), which may restore the best weights.
      stopCheckpoint = { ...makeCheckpoint(session, epoch - 1), inProgress: outcome.inProgress };
      break;
    }
    const metrics = epochMetrics(session, epoch, outcome);
    session.history.push(metrics);
    session.scheduler.endEpoch(metrics);
    if (session.earlyStopping !== null) trackBest(session, metrics);
    await callbacks.onEpochEnd?.(metrics);
    if (callbacks.onCheckpoint) await callbacks.onCheckpoint(makeCheckpoint(session, epoch));
    const changes = callbacks.changesAfter ? await callbacks.changesAfter(epoch) : null;
    if (changes) applyChanges(session, changes);
    if (session.earlyStopping?.shouldStop) {
      stopped = "earlyStopping";
      break;
    }
  }
  const result = finish(session, stopped, partialLoss);
  if (stopCheckpoint) result.checkpoint = stopCheckpoint;
  return result;
}

/** A running job's new learning rate, epochs or patience, from the next epoch on. */
function applyChanges(session: Session, changes: LiveChanges): void {
  if (changes.learningRate !== undefined) {
    checkPositive(changes.learningRate, "learningRate");
    session.scheduler.setBaseRate(changes.learningRate);
  }
  if (changes.epochs !== undefined) {
    if (!Number.isInteger(changes.epochs) || changes.epochs < 1) throw new SpecError(`epochs must be a positive integer, got ${changes.epochs}`, "/training/epochs");
    session.epochs = changes.epochs;
    session.scheduler.setTotalEpochs(changes.epochs);
  }
  if (changes.patience !== undefined && session.earlyStopping !== null) {
    if (!Number.isInteger(changes.patience) || changes.patience < 0) throw new SpecError(`patience must be a non-negative integer, got ${changes.patience}`, "/training/earlyStopping/patience");
    session.earlyStopping.setPatience(changes.patience);
  }
}

function checkPositive(value: number, name: string): void {
  if (!(Number.isFinite(value) && value > 0)) throw new SpecError(`${name} must be a positive number, got ${value}`, `/training/optimizer/${name}`);
}

function startSession(network: NeuralNetwork, data: TrainingData, config: TrainingConfig, callbacks: FitCallbacks, options: FitOptions): Session {
  checkTrainingConfig(config);
  checkData(network, data, "data");
  // Class weights weigh the training loss only; validation metrics stay unweighted (as Keras without validation weights).
  // Validation targets take the training targets' form (the loss graphs are built for it): with class weights, one-hot
  // rows with weights of 1.
  const targets = encodeTargets(data.y, data.numSamples, config.loss, network.outputSize, config.classWeights);
  const unweighted = config.classWeights?.map(() => 1);
  const rng = new Prng(config.seed, TRAINING_STREAM);
  network.context.rng = rng;

  let validation: EncodedDataset | null = null;
  let trainSamples: Int32Array;
  let validationSamples: Int32Array = new Int32Array(0);
  if (options.validationData) {
    checkData(network, options.validationData, "validationData");
    const valTargets = encodeTargets(options.validationData.y, options.validationData.numSamples, config.loss, network.outputSize, unweighted);
    validation = { x: options.validationData.x, targets: valTargets };
    validationSamples = Int32Array.from({ length: options.validationData.numSamples }, (_, i) => i);
    trainSamples = Int32Array.from({ length: data.numSamples }, (_, i) => i);
  } else {
    const split = splitSamples(data.numSamples, config.validationSplit ?? 0, rng, targets.labels, config.stratify ?? false);
    trainSamples = split.train;
    validationSamples = split.validation;
    // The validation samples are rows of the training data: with class weights, their targets are encoded again.
    const valTargets = unweighted ? encodeTargets(data.y, data.numSamples, config.loss, network.outputSize, unweighted) : targets;
    if (validationSamples.length > 0) validation = { x: data.x, targets: valTargets };
  }
  if (trainSamples.length === 0) throw new TrainingError("INVALID_DATA", "the validation split leaves no training sample", 0, 0);

  const earlyStopping = config.earlyStopping ? new EarlyStopping(config.earlyStopping, validation !== null) : null;
  if (earlyStopping && earlyStopping.monitor.startsWith("val") && validation === null) {
    throw new SpecError(`earlyStopping monitors ${earlyStopping.monitor}, but there is no validation data`, "/training/earlyStopping/monitor");
  }
  const batchesPerEpoch = Math.ceil(trainSamples.length / config.batchSize);
  const withClasses = validation !== null && validation.targets.labels !== null;
  const augmenter = new Augmenter(config.augmentation ?? {}, network.spec.inputShape, config.batchSize);
  const session: Session = {
    network,
    config,
    callbacks,
    training: { x: data.x, targets },
    trainSamples,
    order: trainSamples.slice(),
    validation,
    validationSamples,
    graphs: new BatchGraphs(network, config.loss, targets),
    augmenter: augmenter.active.length > 0 ? augmenter : null,
    optimizer: createOptimizer(config.optimizer, network.trainableWeights),
    scheduler: new LearningRateScheduler(config.optimizer.learningRate, config.learningRateSchedule ?? { type: "constant" }, config.epochs, batchesPerEpoch),
    earlyStopping,
    bestWeights: null,
    predicted: withClasses ? new Int32Array(validationSamples.length) : null,
    predictedEpoch: 0,
    bestPredicted: withClasses && config.earlyStopping?.restoreBestWeights ? new Int32Array(validationSamples.length) : null,
    bestPredictedEpoch: 0,
    executor: options.executor ?? null,
    rng,
    batchesPerEpoch,
    epochs: config.epochs,
    history: [],
    firstEpoch: 1,
    pending: null,
    lastYield: now(),
  };
  if (options.resumeFrom) resume(session, options.resumeFrom);
  return session;
}

function checkData(network: NeuralNetwork, data: TrainingData, name: string): void {
  if (!Number.isInteger(data.numSamples) || data.numSamples < 1) throw new TrainingError("INVALID_DATA", `${name}: numSamples must be a positive integer, got ${data.numSamples}`, 0, 0);
  if (data.x.length !== data.numSamples * network.inputSize) {
    throw new TrainingError("INVALID_DATA", `${name}: x has ${data.x.length} values; ${data.numSamples} samples of ${network.inputSize} features need ${data.numSamples * network.inputSize}`, 0, 0);
  }
  for (let i = 0; i < data.x.length; i++) {
    if (!Number.isFinite(data.x[i])) throw new TrainingError("INVALID_DATA", `${name}: x[${i}] (sample ${Math.floor(i / network.inputSize)}) is not a finite number`, 0, 0);
  }
  const invalid = findInvalidId(network.idLimit, data.x, data.numSamples);
  if (invalid) throw new TrainingError("INVALID_DATA", `${name}: sample ${invalid.sample}, position ${invalid.position}: ${describeInvalidId(invalid)}`, 0, 0);
}

interface EpochOutcome {
  /** Set when shouldStop() ended the epoch early. */
  inProgress?: EpochInProgress;
  loss: number;
  accuracy?: number;
  mae?: number;
  learningRate: number;
  durationMs: number;
}

/** Running sums of an epoch: sum of loss x rows, rows seen, training time, the last batch's learning rate. */
interface EpochTotals {
  loss: number;
  seen: number;
  durationMs: number;
  learningRate: number;
}

async function trainEpoch(session: Session, epoch: number): Promise<EpochOutcome> {
  const { network, config, callbacks } = session;
  const batches = session.batchesPerEpoch;
  const accuracy = new AccuracyCounter(session.training.targets.accuracy, network.outputSize, session.graphs.outputIsLogits);
  const absoluteError = new AbsoluteErrorCounter(isRegression(session));
  let totals: EpochTotals = { loss: 0, seen: 0, durationMs: 0, learningRate: session.scheduler.rateAt(epoch, 1) };
  let firstBatch = 1;
  const pending = session.pending;
  if (pending !== null && pending.epoch === epoch) {
    // Resuming mid-epoch: the order and running sums come from the checkpoint, the PRNG is already where it was.
    session.order.set(pending.order);
    totals = { loss: pending.lossSum, seen: pending.seen, durationMs: pending.durationMs, learningRate: pending.learningRate };
    accuracy.state = { correct: pending.correct, total: pending.counted };
    absoluteError.state = { sum: pending.absoluteErrorSum ?? 0, count: pending.absoluteErrorCount ?? 0 };
    firstBatch = pending.batch + 1;
    session.pending = null;
  } else {
    // Each epoch shuffles the sorted sample list afresh: the order then depends
    // only on the PRNG state, which is what a checkpoint saves.
    session.order.set(session.trainSamples);
    if (config.shuffle ?? true) session.rng.shuffle(session.order);
  }

  for (let b = firstBatch; b <= batches; b++) {
    if (callbacks.shouldStop?.()) {
      network.context.training = false;
      const counts = accuracy.state;
      const inProgress: EpochInProgress = {
        epoch,
        batch: b - 1,
        order: session.order.slice(),
        lossSum: totals.loss,
        seen: totals.seen,
        correct: counts.correct,
        counted: counts.total,
        learningRate: totals.learningRate,
        durationMs: totals.durationMs,
        absoluteErrorSum: absoluteError.state.sum,
        absoluteErrorCount: absoluteError.state.count,
      };
      return { inProgress, loss: totals.seen > 0 ? totals.loss / totals.seen : NaN, learningRate: totals.learningRate, durationMs: totals.durationMs };
    }
    const loss = trainBatch(session, epoch, b, accuracy, absoluteError, totals);
    if (callbacks.onBatchEnd) {
      const pending = callbacks.onBatchEnd({ epoch, batch: b, batches, loss });
      if (pending) await pending;
    }
    if (now() - session.lastYield >= YIELD_INTERVAL_MS) {
      await yieldToEventLoop();
      session.lastYield = now();
    }
  }
  network.context.training = false;
  const outcome: EpochOutcome = { loss: totals.loss / totals.seen, learningRate: totals.learningRate, durationMs: totals.durationMs };
  if (session.training.targets.accuracy !== null) outcome.accuracy = accuracy.value;
  if (absoluteError.value !== undefined) outcome.mae = absoluteError.value;
  return outcome;
}

/** A regression whose outputs are its predictions (mean errors, no fused activation): MAE is reported. */
function isRegression(session: Session): boolean {
  return session.training.targets.accuracy === null && !session.graphs.outputIsLogits;
}

/**
 * One optimizer step on batch `b` of the epoch's order; returns its loss.
 * Synchronous on purpose: numbers kept across an `await` live on the heap.
 */
function trainBatch(session: Session, epoch: number, b: number, accuracy: AccuracyCounter, absoluteError: AbsoluteErrorCounter, totals: EpochTotals): number {
  const { network, config, graphs, order } = session;
  const started = now();
  const start = (b - 1) * config.batchSize;
  const batch = graphs.get(Math.min(config.batchSize, order.length - start));
  graphs.load(batch, session.training, order, start);
  session.augmenter?.apply(batch.input.data, batch.rows, session.rng);
  const learningRate = session.scheduler.rateAt(epoch, b);
  const loss = trainStep(network, batch, session.optimizer, learningRate, session.executor, epoch, b);
  accuracy.add(batch.output.data, batch.rows, batch.labels, batch.target.data);
  absoluteError.add(batch.output.data, batch.target.data, batch.rows * session.network.outputSize);
  totals.loss += loss * batch.rows;
  totals.seen += batch.rows;
  totals.learningRate = learningRate;
  totals.durationMs += now() - started;
  return loss;
}

function epochMetrics(session: Session, epoch: number, outcome: EpochOutcome): EpochMetrics {
  const metrics: EpochMetrics = { epoch, loss: outcome.loss, learningRate: outcome.learningRate, durationMs: outcome.durationMs };
  if (outcome.accuracy !== undefined) metrics.accuracy = outcome.accuracy;
  if (outcome.mae !== undefined) metrics.mae = outcome.mae;
  if (session.validation !== null) {
    const result = evaluateWith(session, session.predicted ?? undefined);
    session.predictedEpoch = epoch;
    metrics.valLoss = result.loss;
    if (result.accuracy !== undefined) metrics.valAccuracy = result.accuracy;
    if (result.mae !== undefined) metrics.valMae = result.mae;
  }
  return metrics;
}

/** Loss and accuracy on the validation samples (predicted classes into `predicted`), with the session's executor. */
function evaluateWith(session: Session, predicted?: Int32Array): ReturnType<typeof evaluate> {
  const previous = useExecutor(session.executor);
  try {
    return evaluate(session.network, session.graphs, session.validation!, session.validationSamples, session.config.batchSize, predicted);
  } finally {
    useExecutor(previous);
  }
}

/** Updates early stopping with an epoch; keeps the best weights if they are to be restored. */
function trackBest(session: Session, metrics: EpochMetrics): void {
  const early = session.earlyStopping!;
  const improved = early.update(metrics);
  if (improved && session.config.earlyStopping?.restoreBestWeights) {
    session.bestWeights = exportWeights(session.network).data;
    if (session.bestPredicted !== null && session.predicted !== null) {
      session.bestPredicted.set(session.predicted);
      session.bestPredictedEpoch = metrics.epoch;
    }
  }
}

function finish(session: Session, stopped: FitResult["stopped"], partialLoss: number): FitResult {
  const { history, network } = session;
  let keptEpoch = history.length > 0 ? history[history.length - 1].epoch : 0;
  if (session.bestWeights !== null && session.earlyStopping !== null) {
    importWeights(network, exportWeights(network).manifest, session.bestWeights);
    keptEpoch = session.earlyStopping.bestEpoch;
  }
  const kept = history.find((m) => m.epoch === keptEpoch);
  const result: FitResult = { epochs: history, stopped, finalMetrics: kept ? finalOf(kept) : { loss: partialLoss }, keptEpoch, augmentation: session.augmenter?.active ?? [] };
  const labels = session.validation?.targets.labels ?? null;
  if (stopped !== "cancelled" && labels !== null && kept !== undefined) {
    const truth = Int32Array.from(session.validationSamples, (s) => labels[s]);
    result.classMetrics = classMetricsOf(truth, predictionsOf(session, keptEpoch), Math.max(2, network.outputSize), "validation");
  }
  return result;
}

/**
 * The validation predictions of the kept weights: those of the epoch's own
 * evaluation when this run made it (always, unless the kept epoch ended
 * before a resume), else a new evaluation, which gives the same (evaluation
 * mode is deterministic and the weights are those of that epoch).
 */
function predictionsOf(session: Session, keptEpoch: number): Int32Array {
  if (session.predicted !== null && session.predictedEpoch === keptEpoch) return session.predicted;
  if (session.bestPredicted !== null && session.bestPredictedEpoch === keptEpoch) return session.bestPredicted;
  const predicted = new Int32Array(session.validationSamples.length);
  evaluateWith(session, predicted);
  return predicted;
}

function finalOf(metrics: EpochMetrics): FinalMetrics {
  const final: FinalMetrics = { loss: metrics.loss };
  if (metrics.accuracy !== undefined) final.accuracy = metrics.accuracy;
  if (metrics.valLoss !== undefined) final.valLoss = metrics.valLoss;
  if (metrics.valAccuracy !== undefined) final.valAccuracy = metrics.valAccuracy;
  if (metrics.mae !== undefined) final.mae = metrics.mae;
  if (metrics.valMae !== undefined) final.valMae = metrics.valMae;
  return final;
}

function makeCheckpoint(session: Session, epoch: number): TrainingCheckpoint {
  const early = session.earlyStopping;
  return {
    epoch,
    weights: exportWeights(session.network),
    optimizer: session.optimizer.getState(),
    rng: session.rng.getState(),
    schedule: { ...session.scheduler.state, baseRate: session.scheduler.baseLearningRate },
    earlyStopping: early ? { bestValue: early.bestValue, bestEpoch: early.bestEpoch, wait: early.wait, bestWeights: session.bestWeights?.slice() ?? null } : null,
    history: session.history.map((m) => ({ ...m })),
  };
}

function resume(session: Session, checkpoint: TrainingCheckpoint): void {
  importWeights(session.network, checkpoint.weights.manifest, checkpoint.weights.data);
  session.optimizer.setState(checkpoint.optimizer);
  session.rng.setState(checkpoint.rng);
  const { baseRate, ...scheduleState } = checkpoint.schedule;
  session.scheduler.state = scheduleState;
  // The job's rate was changed after this checkpoint (a live change it had not yet applied): apply it now, as the live run would have.
  if (baseRate !== undefined && baseRate !== session.config.optimizer.learningRate) session.scheduler.setBaseRate(session.config.optimizer.learningRate);
  const early = session.earlyStopping;
  if (early && checkpoint.earlyStopping) {
    early.bestValue = checkpoint.earlyStopping.bestValue;
    early.bestEpoch = checkpoint.earlyStopping.bestEpoch;
    early.wait = checkpoint.earlyStopping.wait;
    session.bestWeights = checkpoint.earlyStopping.bestWeights?.slice() ?? null;
  }
  session.history = checkpoint.history.map((m) => ({ ...m }));
  session.firstEpoch = checkpoint.epoch + 1;
  const inProgress = checkpoint.inProgress;
  if (inProgress) {
    if (inProgress.epoch !== checkpoint.epoch + 1 || inProgress.order.length !== session.trainSamples.length || inProgress.batch < 0 || inProgress.batch > session.batchesPerEpoch) {
      throw new Error(`resumeFrom: the checkpoint stopped in epoch ${inProgress.epoch} after batch ${inProgress.batch} of ${inProgress.order.length} samples; this run has ${session.trainSamples.length} training samples in ${session.batchesPerEpoch} batches`);
    }
    session.firstEpoch = inProgress.epoch;
    session.pending = { ...inProgress, order: inProgress.order.slice() };
  }
}
