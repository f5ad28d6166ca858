// The worker's use case: train one job from Postgres and write its results
// back through the fenced store (training-store.ts). A later attempt resumes
// from the last checkpoint; errors are training-errors.ts's kinds.

import type { Database, Prisma } from "../db/client.js";
import { decodeColumnReports, decodeJobModel, decodeModelSpec, decodeTrainingConfig, decodeWeightManifest, toJson } from "../db/json-columns.js";
import { newId } from "../db/ids.js";
import {
  createModel,
  createTransferModel,
  decodeCheckpoint,
  exportWeights,
  fit,
  monitorOf,
  SpecError,
  TrainingError,
  type EpochMetrics,
  type FinalMetrics,
  type FitResult,
  type KernelExecutor,
  type LiveChanges,
  type Model,
  type TrainingCheckpoint,
  type TrainingConfig as EngineTrainingConfig,
  type TrainingData as EngineData,
  type TransferLineage,
} from "../engine/index.js";
import { isTransferSpec, type ModelSpec, type TransferSpec } from "../spec/model-spec.js";
import type { TrainingConfig } from "../spec/training-config.js";
import { loadDatasetArrays } from "./datasets.js";
import { createDatasetCache, DEFAULT_DATASET_CACHE_BYTES } from "./dataset-cache.js";
import { evaluateOutputs, type Evaluation } from "./evaluation.js";
import { splitTable, tableDatasetOf, tableTrainingData, type TableSamples } from "./table-training.js";
import { decodePipeline, decodeTable, targetFromOutput, type FittedPipeline } from "../features/index.js";
import { silentSink, type JobEventSink } from "./job-events.js";
import { FencedOut, JobFailure, Released, type FailureCode } from "./training-errors.js";
import { createTrainingStore, type ClaimedJob, type LiveSettings, type MetricsSummary } from "./training-store.js";
import { trialPruner } from "./sweep-pruning.js";
import { compareWeights } from "./job-verifications.js";

export type StopReason = "cancel" | "pause" | "shutdown" | "timeLimit" | "pruned" | "rung" | null;

export interface RunControl {
  /** Checked between batches: a cancel or pause request, or this worker shutting down. */
  stopReason(): StopReason;
  /** Called with the events to publish once their rows have committed. */
  events: JobEventSink;
}

export type RunOutcome =
  | { status: "succeeded"; modelId: string }
  | { status: "cancelled"; epoch: number }
  | { status: "paused"; epoch: number; batch: number }
  | { status: "verified"; identical: boolean }
  | { status: "skipped"; reason: string };

/** Control of a run nobody can stop or watch (tests, scripts). */
const unattended: RunControl = { stopReason: () => null, events: silentSink };

/** Publish progress at most this often: enough for a live curve, little for Redis. */
const PROGRESS_INTERVAL_MS = 250;

/**
 * An epoch's rows are written when it ends if the last write is at least this
 * old; faster epochs wait and go together in the next write (one statement
 * for all), and the rest are written when training stops, before the job's
 * end. So a job of many tiny epochs writes a few times a second instead of
 * once per epoch, and an epoch longer than this is written as it ends. The
 * job's row (a cancel, a pause, a PATCH) is read at each write, so a live
 * change applies from the first epoch boundary after a write that sees it.
 */
const EPOCH_WRITE_INTERVAL_MS = 25;

interface Origin {
  baseModelId: string;
  lineage: TransferLineage;
}

/**
 * `executor` splits large products over threads (src/parallel); without it the engine runs on the calling thread.
 * `checkpointsKept`: checkpoints of the latest epochs kept for forks (none by default).
 * `datasetCacheBytes`: decoded matrix datasets kept for the next jobs, at most this many bytes of arrays.
 */
export function createTrainingRunner({
  db,
  executor,
  checkpointsKept = 0,
  datasetCacheBytes = DEFAULT_DATASET_CACHE_BYTES,
}: {
  db: Database;
  executor?: KernelExecutor;
  checkpointsKept?: number;
  datasetCacheBytes?: number;
}) {
  const store = createTrainingStore({ db, checkpointsKept });
  // A warm thread trains job after job, often on one dataset (a sweep, retries, forks): keep its arrays decoded.
  const datasets = createDatasetCache<DatasetArraysRow>(datasetCacheBytes);

  /**
   * Trains the job. Returns when it succeeded or was cancelled; deterministic
   * failures mark it failed and throw JobFailure; a shutdown throws Released;
   * other errors are thrown as they are (the queue retries them), and on the
   * last delivery they mark the job failed with INTERNAL first.
   */
  async function run(jobId: string, { lastDelivery, control = unattended }: { lastDelivery: boolean; control?: RunControl }): Promise<RunOutcome> {
    const claimed = await store.claim(jobId, control.events);
    if (claimed === null) return { status: "skipped", reason: "job is missing or has ended" };
    const { attempt } = claimed;
    try {
      return await train(claimed, control);
    } catch (error) {
      if (error instanceof FencedOut || error instanceof Released) throw error;
      const failure = asJobFailure(error);
      if (failure) {
        await store.markFailed({ jobId, attempt, failure, events: control.events });
        throw failure;
      }
      if (lastDelivery) {
        const message = error instanceof Error ? error.message : String(error);
        const internal = new JobFailure("INTERNAL", `training stopped on an internal error: ${message}`);
        await store.markFailed({ jobId, attempt, failure: internal, events: control.events }).catch(() => undefined);
      }
      throw error;
    }
  }

  async function train(job: ClaimedJob, control: RunControl): Promise<RunOutcome> {
    const { id: jobId, attempt } = job;
    const training = decodeTrainingConfig(job.training, `job ${jobId}'s training config`);
    if (job.datasetChecksum === null) throw new JobFailure("DATASET_MISSING", `dataset ${job.datasetId} no longer exists`);
    const data = await loadTrainingData(job.datasetId, job.datasetChecksum, job.pipeline, training);
    const { spec, model, origin } = await buildModel(decodeJobModel(job.spec, `job ${jobId}'s model`), training.seed ?? 0);
    if (job.cancelRequested) {
      // Cancelled while its previous worker was gone: end it where its checkpoint left it.
      const epoch = job.checkpoint?.epoch ?? 0;
      await store.finish({ jobId, attempt, status: "cancelled", message: `cancelled after ${epoch} epochs`, done: { epoch }, events: control.events });
      return { status: "cancelled", epoch };
    }
    const resumeFrom: TrainingCheckpoint | undefined = job.checkpoint ? decodeCheckpoint(job.checkpoint.data) : undefined;
    if (job.pauseRequested) {
      // Paused while its previous worker was gone (or before it started): keep the checkpoint it has.
      return pause(jobId, attempt, resumeFrom, control, { saved: true });
    }

    const better = bestRule(training);
    let best = resumeFrom?.history.reduce<EpochMetrics | undefined>((b, m) => (better(m, b) ? m : b), undefined);
    let pendingMetrics: EpochMetrics | undefined;
    let cancelRequested = false;
    let pauseRequested = false;
    let stopReason: StopReason = null;
    let lastProgress = 0;
    // Training time of earlier attempts (their epochs) counts against the limit too.
    const limitMs = training.timeLimitSeconds === undefined ? Infinity : training.timeLimitSeconds * 1000;
    const deadline = Date.now() + limitMs - (resumeFrom?.history.reduce((sum, m) => sum + m.durationMs, 0) ?? 0);
    // A sweep's trial may be stopped by successive halving at a rung epoch.
    const pruner = await trialPruner(db, jobId, job.sweepId, training.epochs);
    let pruned = false;
    // Successive halving's promotion form: the rung epoch the trial waits at (its run pauses there).
    let waitsAt = 0;
    // What a PATCH may change while the job runs: read back at each epoch end, applied from the next epoch.
    let inForce: LiveSettings = { learningRate: training.optimizer.learningRate, epochs: training.epochs, patience: training.earlyStopping ? (training.earlyStopping.patience ?? 0) : null };
    let changes: LiveChanges | null = null;
    // Epochs ended but not yet written: fast epochs go to Postgres together (see EPOCH_WRITE_INTERVAL_MS).
    const unwritten: { metrics: EpochMetrics; checkpoint: TrainingCheckpoint }[] = [];
    let lastWrite = 0;
    const writeEpochs = async () => {
      if (unwritten.length === 0) return;
      const recorded = await store.recordEpochs({ jobId, attempt, epochs: unwritten.splice(0), best: summary(best!) });
      lastWrite = Date.now();
      cancelRequested = recorded.cancelRequested;
      pauseRequested = recorded.pauseRequested;
      changes = liveChanges(inForce, recorded.live);
      inForce = recorded.live;
      for (const event of recorded.events) control.events.publish(jobId, event);
    };

    const result: FitResult = await fit(
      model,
      data.train,
      // A table's validation rows were split off before its pipeline was fitted: the engine gets them as they are.
      (data.pipeline ? { ...training, validationSplit: 0 } : training) as EngineTrainingConfig,
      {
        shouldStop: () => {
          stopReason = cancelRequested ? "cancel" : pruned ? "pruned" : waitsAt > 0 ? "rung" : (control.stopReason() ?? (pauseRequested ? "pause" : Date.now() > deadline ? "timeLimit" : null));
          return stopReason !== null;
        },
        onBatchEnd: ({ epoch, batch, batches, loss }) => {
          const now = Date.now();
          if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
          lastProgress = now;
          control.events.publish(jobId, { type: "progress", data: { epoch, batch, batches, loss } });
        },
        onEpochEnd: (metrics) => {
          pendingMetrics = metrics;
          if (better(metrics, best)) best = metrics;
        },
        onCheckpoint: async (checkpoint) => {
          changes = null; // a change read at an earlier write is applied once
          unwritten.push({ metrics: pendingMetrics!, checkpoint });
          // A sweep's trial writes every epoch: its rungs compare the trials' rows.
          if (pruner || Date.now() - lastWrite >= EPOCH_WRITE_INTERVAL_MS) await writeEpochs();
          const decision = pruner ? await pruner.afterEpoch(pendingMetrics!.epoch, pendingMetrics as unknown as Record<string, unknown>) : "continue";
          if (decision === "prune") pruned = true;
          if (decision === "wait") waitsAt = pendingMetrics!.epoch;
        },
        changesAfter: () => changes,
      },
      { resumeFrom, ...(executor ? { executor } : {}), ...(data.validation ? { validationData: data.validation } : {}) },
    ).catch(async (error: unknown) => {
      // The epochs that ended before the failure keep their rows.
      await writeEpochs().catch(() => undefined);
      throw error;
    });
    await writeEpochs();

    const epoch = result.epochs.length;
    if (result.stopped === "cancelled") {
      if (stopReason === "shutdown") {
        // Keep the work of the epoch in progress: the next attempt resumes at this very batch.
        if (result.checkpoint) await store.saveCheckpoint({ jobId, attempt, checkpoint: result.checkpoint });
        throw Released.of(jobId, result.checkpoint?.inProgress ? `epoch ${result.checkpoint.inProgress.epoch}, batch ${result.checkpoint.inProgress.batch}` : `epoch ${epoch}`);
      }
      if (stopReason === "pause") return pause(jobId, attempt, result.checkpoint, control);
      if (stopReason === "rung") {
        const message = `waiting after epoch ${waitsAt}, a rung of its sweep's successive halving, to be promoted or pruned`;
        return pause(jobId, attempt, result.checkpoint, control, { message, write: (tx) => pruner!.wait(tx, waitsAt) });
      }
      if (stopReason === "timeLimit") {
        throw new JobFailure("TIME_LIMIT_EXCEEDED", `stopped at its time limit of ${training.timeLimitSeconds} s after ${epoch} completed epochs (their metrics are kept)`, epoch + 1);
      }
      const message = stopReason === "pruned" ? `pruned by its sweep's successive halving after epoch ${epoch}` : `cancelled after ${epoch} epochs`;
      await store.finish({ jobId, attempt, status: "cancelled", message, done: { epoch, ...(stopReason === "pruned" ? { pruned: true } : {}) }, events: control.events });
      return { status: "cancelled", epoch };
    }
    if (job.verifiesModelId !== null) return finishVerification(jobId, attempt, job.verifiesModelId, model, result, control);
    const test = data.test ? evaluateOn(model, data.test, data.classNames, data.pipeline) : undefined;
    const modelId = await storeModel({ jobId, projectId: job.projectId, attempt, spec, origin, data, model, result, test, events: control.events });
    return { status: "succeeded", modelId };
  }

  /**
   * Pauses the job where checkpoint `at` leaves it, saving it unless it is
   * `saved` already (the stored one a delivery starts from); `write` adds to
   * the pause's transaction.
   */
  async function pause(
    jobId: string,
    attempt: number,
    at: TrainingCheckpoint | undefined,
    control: RunControl,
    { saved = false, message, write }: { saved?: boolean; message?: string; write?: (tx: Prisma.TransactionClient) => Promise<unknown> } = {},
  ): Promise<RunOutcome> {
    const epochs = at?.epoch ?? 0;
    const batch = at?.inProgress?.batch ?? 0;
    message ??= batch > 0 ? `paused in epoch ${epochs + 1}, after batch ${batch}` : `paused after ${epochs} epochs`;
    await store.pause({ jobId, attempt, checkpoint: saved ? undefined : at, message, events: control.events, write });
    return { status: "paused", epoch: epochs, batch };
  }

  /** A verification's end: the retrained weights against the stored model's, recorded on the job; no model is stored. */
  async function finishVerification(jobId: string, attempt: number, modelId: string, model: Model, result: FitResult, control: RunControl): Promise<RunOutcome> {
    const stored = await db.model.findUnique({ where: { id: modelId }, select: { weights: true } });
    if (!stored) throw new JobFailure("INVALID_SPEC", `model ${modelId}, which this job verifies, no longer exists`);
    const verification = compareWeights(modelId, stored.weights, exportWeights(model).data);
    const message = verification.identical
      ? `retrained ${result.epochs.length} epochs: the weights are bit-identical to model ${modelId}'s`
      : `retrained ${result.epochs.length} epochs: ${verification.differingValues} weight values differ from model ${modelId}'s (at most by ${verification.maxAbsDifference})`;
    await store.finish({ jobId, attempt, status: "succeeded", message, done: { verification }, job: { verification: toJson(verification) }, events: control.events });
    return { status: "verified", identical: verification.identical };
  }

  /** A model from scratch, or from a stored one (transfer learning): kept layers carry its weights. */
  async function buildModel(requested: ModelSpec | TransferSpec, seed: number): Promise<{ spec: ModelSpec; model: Model; origin: Origin | null }> {
    if (!isTransferSpec(requested)) return { spec: requested, model: createModel(requested, seed), origin: null };
    const base = await db.model.findUnique({ where: { id: requested.baseModelId }, omit: { weights: false } });
    if (!base) throw new JobFailure("INVALID_SPEC", `base model ${requested.baseModelId} no longer exists`);
    const options = { dropLayers: requested.dropLayers, addLayers: requested.addLayers, freeze: requested.freeze };
    const stored = { spec: decodeModelSpec(base.spec, `model ${base.id}'s spec`), manifest: decodeWeightManifest(base.weightManifest, `model ${base.id}'s weight manifest`), data: base.weights };
    const { spec, model, lineage } = createTransferModel(stored, options, seed);
    return { spec, model, origin: { baseModelId: base.id, lineage } };
  }

  /** The trained model's row, written in the transaction that ends the job as succeeded. */
  async function storeModel(args: {
    jobId: string;
    projectId: string;
    attempt: number;
    spec: ModelSpec;
    origin: Origin | null;
    data: TrainingData;
    model: Model;
    result: FitResult;
    test: Evaluation | undefined;
    events: JobEventSink;
  }): Promise<string> {
    const { jobId, projectId, attempt, spec, origin, data, model, result, test, events } = args;
    const weights = exportWeights(model);
    const modelId = newId("mdl");
    const metrics = {
      ...summary(result.finalMetrics),
      epochs: result.epochs.length,
      keptEpoch: result.keptEpoch,
      stopped: result.stopped,
      augmentation: result.augmentation,
      ...(result.classMetrics ? { classMetrics: result.classMetrics } : {}),
      ...(test ? { test } : {}),
    };
    const message = result.stopped === "earlyStopping" ? `stopped early after ${result.epochs.length} epochs, kept epoch ${result.keptEpoch}` : `trained ${result.epochs.length} epochs`;
    await store.finish({
      jobId,
      attempt,
      status: "succeeded",
      message,
      done: { resultModelId: modelId, metrics },
      events,
      // As the job's row has them now (a PATCH while it trained may have changed them): its labels, which the model starts
      // with, and its fingerprint, which the model carries (a live change of the training cleared it).
      write: (tx, fromJob) =>
        tx.model.create({
          select: { id: true },
          data: {
            id: modelId,
            ...fromJob,
            projectId,
            sourceJobId: jobId,
            datasetId: data.datasetId,
            spec: toJson(spec),
            weightManifest: toJson(weights.manifest),
            weights: new Uint8Array(weights.data),
            parameterCount: model.parameterCount,
            inputShape: spec.inputShape,
            outputSize: model.outputSize,
            classNames: data.classNames,
            ...(data.pipeline ? { pipeline: toJson(data.pipeline) } : {}),
            metrics: toJson(metrics),
            ...(origin ? { baseModelId: origin.baseModelId, lineage: toJson(origin.lineage) } : {}),
          },
        }),
    });
    return modelId;
  }

  /**
   * The job's data as the engine takes it: a matrix dataset's arrays, or a
   * table's rows split and put through the pipeline fitted at submission.
   */
  async function loadTrainingData(datasetId: string, checksum: string, storedPipeline: unknown, training: TrainingConfig): Promise<TrainingData> {
    if (storedPipeline === null || storedPipeline === undefined) {
      const dataset = await datasets.get(datasetId, checksum, () => loadDatasetArrays(db, datasetId));
      if (!dataset) throw new JobFailure("DATASET_MISSING", `dataset ${datasetId} no longer exists`);
      return { datasetId, train: { x: dataset.features, y: dataset.labels, numSamples: dataset.numSamples }, validation: null, test: null, classNames: dataset.classNames, pipeline: null };
    }
    const row = await db.dataset.findUnique({ where: { id: datasetId }, omit: { table: false } });
    if (!row || row.deletedAt || !row.table) throw new JobFailure("DATASET_MISSING", `dataset ${datasetId} no longer exists`);
    const pipeline = decodePipeline(storedPipeline);
    const table = decodeTable(row.table);
    const dataset = tableDatasetOf(row);
    const parts = tableTrainingData(table, pipeline, splitTable(table, dataset, training));
    const asData = (part: TableSamples) => ({ x: part.x, y: part.y!, numSamples: part.numRows });
    return {
      datasetId,
      train: asData(parts.train),
      validation: parts.validation && parts.validation.numRows > 0 ? asData(parts.validation) : null,
      test: parts.test && parts.test.numRows > 0 ? asData(parts.test) : null,
      classNames: pipeline.label.task === "classification" ? pipeline.label.classNames : [],
      pipeline,
    };
  }

  return { run };
}

type DatasetArraysRow = NonNullable<Awaited<ReturnType<typeof loadDatasetArrays>>>;

/** What a job trains on, whatever its dataset's kind. */
interface TrainingData {
  datasetId: string;
  train: EngineData;
  validation: EngineData | null;
  test: EngineData | null;
  classNames: string[];
  pipeline: FittedPipeline | null;
}

/** The model's metrics on held-out rows, in the label's units. */
function evaluateOn(model: Model, data: EngineData, classNames: string[], pipeline: FittedPipeline | null): Evaluation {
  const outputs = model.predict(data.x, data.numSamples);
  const toUnits = pipeline && pipeline.label.task === "regression" ? (value: number) => targetFromOutput(pipeline, value) : undefined;
  return evaluateOutputs({ outputs, targets: data.y, classNames, toUnits });
}

export type TrainingRunner = ReturnType<typeof createTrainingRunner>;

function asJobFailure(error: unknown): JobFailure | null {
  if (error instanceof JobFailure) return error;
  if (error instanceof TrainingError) {
    const code: FailureCode = error.code === "NON_FINITE_LOSS" ? "NON_FINITE_LOSS" : "INVALID_DATA";
    return new JobFailure(code, error.message, error.epoch || undefined, error.batch || undefined);
  }
  if (error instanceof SpecError) return new JobFailure("INVALID_SPEC", error.message);
  return null;
}

/**
 * Which epoch is the job's best: by the metric early stopping watches (the
 * user's monitor and mode, else valLoss with validation data, else loss),
 * so bestMetrics and the kept epoch agree.
 */
export function bestRule(training: Pick<TrainingConfig, "earlyStopping" | "validationSplit">): (metrics: EpochMetrics, best: EpochMetrics | undefined) => boolean {
  const { monitor, maximize } = monitorOf(training.earlyStopping, (training.validationSplit ?? 0) > 0);
  return (metrics, best) => {
    const value = metrics[monitor];
    if (value === undefined) return best === undefined;
    const bestValue = best?.[monitor];
    if (bestValue === undefined) return true;
    return maximize ? value > bestValue : value < bestValue;
  };
}

/** What changed between the settings in force and the job's row, as the engine takes it; null when nothing did. */
function liveChanges(inForce: LiveSettings, now: LiveSettings): LiveChanges | null {
  const changes: LiveChanges = {};
  if (now.learningRate !== inForce.learningRate) changes.learningRate = now.learningRate;
  if (now.epochs !== inForce.epochs) changes.epochs = now.epochs;
  if (now.patience !== null && now.patience !== inForce.patience) changes.patience = now.patience;
  return Object.keys(changes).length > 0 ? changes : null;
}

function summary(metrics: FinalMetrics & { epoch?: number }): MetricsSummary {
  const out: MetricsSummary = { loss: metrics.loss };
  for (const key of ["accuracy", "valLoss", "valAccuracy", "mae", "valMae", "epoch"] as const) {
    if (metrics[key] !== undefined) out[key] = metrics[key]!;
  }
  return out;
}
