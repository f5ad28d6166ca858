// The worker's use case: train one job from Postgres and write its results
// back. Delivery is at least once, so every write is fenced by the job's
// attempt number: a worker whose attempt is no longer current writes nothing.
// Each epoch's metrics row, checkpoint and event land in one statement, and a
// later attempt resumes from the last checkpoint.

import type { Database } from "../db/client.js";
import { Prisma } from "../db/client.js";
import { newId } from "../db/ids.js";
import {
  createModel,
  createTransferModel,
  decodeCheckpoint,
  encodeCheckpoint,
  exportWeights,
  fit,
  SpecError,
  TrainingError,
  type EpochMetrics,
  type FitResult,
  type TrainingCheckpoint,
  type TrainingConfig as EngineTrainingConfig,
  type TransferLineage,
  type WeightEntry,
} from "../engine/index.js";
import { isTransferSpec, type ModelSpec, type TransferSpec } from "../spec/model-spec.js";
import { loadDatasetArrays } from "./datasets.js";
import type { ResolvedTrainingConfig } from "./job-validation.js";
import { insertJobEvent, silentSink, statusChange, type JobEvent, type JobEventSink } from "./job-events.js";

export type FailureCode = "NON_FINITE_LOSS" | "INVALID_SPEC" | "INVALID_DATA" | "DATASET_MISSING" | "STALLED_TOO_OFTEN" | "TIME_LIMIT_EXCEEDED" | "INTERNAL";

/** A failure that retrying cannot fix. */
export class JobFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
    readonly epoch?: number,
    readonly batch?: number,
  ) {
    super(message);
    this.name = "JobFailure";
  }
}

/** Thrown when another attempt owns the job (this worker lost its lock). */
export class FencedOut extends Error {
  override name = "FencedOut";
  static of(jobId: string, attempt: number): FencedOut {
    return new FencedOut(`job ${jobId}: attempt ${attempt} is no longer current; stopping without writing`);
  }
}

/** Thrown when the worker is shutting down: the job stays running and resumes elsewhere from its checkpoint. */
export class Released extends Error {
  override name = "Released";
  static of(jobId: string, where: string): Released {
    return new Released(`job ${jobId} released at ${where} for another worker to resume`);
  }
}

export type StopReason = "cancel" | "shutdown" | "timeLimit" | null;

export interface RunControl {
  /** Checked between batches: a cancel request, or this worker shutting down. */
  stopReason(): StopReason;
  /** Called with the events to publish once their rows have committed. */
  events: JobEventSink;
}

export type RunOutcome =
  | { status: "succeeded"; modelId: string }
  | { status: "cancelled"; epoch: number }
  | { status: "skipped"; reason: string };

/** Control of a run nobody can stop or watch (tests, scripts). */
const unattended: RunControl = { stopReason: () => null, events: silentSink };

/** Publish progress at most this often: enough for a live curve, little for Redis. */
const PROGRESS_INTERVAL_MS = 250;

export function createTrainingRunner({ db }: { db: Database }) {
  /**
   * Moves a queued (or re-delivered running) job to running under a new
   * attempt number, which fences out any earlier attempt still alive.
   */
  async function claim(jobId: string, events: JobEventSink): Promise<{ attempt: number; resumeEpoch: number } | null> {
    const claimed = await db.$transaction(async (tx) => {
      const rows = await tx.trainingJob.updateManyAndReturn({
        where: { id: jobId, status: { in: ["queued", "running"] } },
        data: { status: "running", attempt: { increment: 1 }, startedAt: new Date() },
        select: { attempt: true },
      });
      if (rows.length === 0) return null;
      const { attempt } = rows[0];
      const resumeEpoch = (await tx.checkpoint.findUnique({ where: { jobId }, select: { epoch: true } }))?.epoch ?? 0;
      const message = resumeEpoch > 0 ? `attempt ${attempt}, resuming after epoch ${resumeEpoch}` : `attempt ${attempt}`;
      const event = await insertJobEvent(tx, jobId, "status", { ...statusChange("running", message), attempt });
      return { attempt, resumeEpoch, event };
    });
    if (!claimed) return null;
    events.publish(jobId, claimed.event);
    return { attempt: claimed.attempt, resumeEpoch: claimed.resumeEpoch };
  }

  /**
   * The epoch's metrics row, its checkpoint, its event and the job's progress,
   * in one statement: the fence (UPDATE ... WHERE attempt) feeds every INSERT,
   * so a stale attempt writes nothing, and a re-run epoch replaces its rows.
   * One round trip instead of an interactive transaction's many. Returns
   * whether a cancel was requested meanwhile.
   */
  async function recordEpoch(jobId: string, attempt: number, metrics: EpochMetrics, best: Record<string, number>, checkpoint: Uint8Array) {
    const row = metricRow(metrics);
    const eventData = JSON.stringify(row);
    const written = await db.$queryRaw<{ eventId: bigint; cancelRequested: boolean }[]>`
      WITH fence AS (
        UPDATE "TrainingJob" SET "epoch" = ${row.epoch}, "bestMetrics" = ${JSON.stringify(best)}::jsonb, "updatedAt" = now()
        WHERE "id" = ${jobId} AND "attempt" = ${attempt} AND "status" = 'running'
        RETURNING "id", "cancelRequested"
      ), metric AS (
        INSERT INTO "EpochMetric" ("jobId", "epoch", "loss", "accuracy", "valLoss", "valAccuracy", "learningRate", "durationMs")
        SELECT "id", ${row.epoch}::int, ${row.loss}::float8, ${row.accuracy}::float8, ${row.valLoss}::float8,
               ${row.valAccuracy}::float8, ${row.learningRate}::float8, ${row.durationMs}::float8
        FROM fence
        ON CONFLICT ("jobId", "epoch") DO UPDATE SET
          "loss" = EXCLUDED."loss", "accuracy" = EXCLUDED."accuracy", "valLoss" = EXCLUDED."valLoss",
          "valAccuracy" = EXCLUDED."valAccuracy", "learningRate" = EXCLUDED."learningRate", "durationMs" = EXCLUDED."durationMs"
      ), saved AS (
        INSERT INTO "Checkpoint" ("jobId", "epoch", "attempt", "data", "updatedAt")
        SELECT "id", ${row.epoch}::int, ${attempt}::int, ${Buffer.from(checkpoint.buffer, checkpoint.byteOffset, checkpoint.byteLength)}::bytea, now()
        FROM fence
        ON CONFLICT ("jobId") DO UPDATE SET "epoch" = EXCLUDED."epoch", "attempt" = EXCLUDED."attempt", "data" = EXCLUDED."data", "updatedAt" = now()
      ), event AS (
        INSERT INTO "JobEvent" ("jobId", "type", "data") SELECT "id", 'epoch', ${eventData}::jsonb FROM fence
        RETURNING "id"
      )
      SELECT event."id" AS "eventId", fence."cancelRequested" FROM fence, event`;
    if (written.length === 0) throw FencedOut.of(jobId, attempt);
    const event: JobEvent = { id: written[0].eventId.toString(), type: "epoch", data: row };
    return { event, cancelRequested: written[0].cancelRequested };
  }

  /** Ends the job (fenced): its final status, status and done events, and whatever else `write` adds. */
  async function finish(
    jobId: string,
    attempt: number,
    status: "succeeded" | "failed" | "cancelled",
    message: string,
    done: Record<string, unknown>,
    data: Prisma.TrainingJobUpdateManyMutationInput,
    events: JobEventSink,
    write?: (tx: Prisma.TransactionClient) => Promise<unknown>,
  ): Promise<void> {
    const published = await db.$transaction(async (tx) => {
      const { count } = await tx.trainingJob.updateMany({
        where: { id: jobId, attempt, status: "running" },
        data: { ...data, status, finishedAt: new Date() },
      });
      if (count === 0) throw FencedOut.of(jobId, attempt);
      if (write) await write(tx);
      await tx.checkpoint.deleteMany({ where: { jobId } });
      return [await insertJobEvent(tx, jobId, "status", { ...statusChange(status, message) }), await insertJobEvent(tx, jobId, "done", { status, ...done })];
    });
    for (const event of published) events.publish(jobId, event);
  }

  async function markFailed(jobId: string, attempt: number, failure: JobFailure, events: JobEventSink): Promise<void> {
    const error = { code: failure.code, message: failure.message, ...(failure.epoch ? { epoch: failure.epoch, batch: failure.batch } : {}) };
    await finish(jobId, attempt, "failed", failure.message, { error }, { error }, events);
  }

  /**
   * Trains the job. Returns when it succeeded or was cancelled; deterministic
   * failures mark it failed and throw JobFailure; a shutdown throws Released;
   * other errors are thrown as they are (the queue retries them), and on the
   * last delivery they mark the job failed with INTERNAL first.
   */
  async function run(jobId: string, { lastDelivery, control = unattended }: { lastDelivery: boolean; control?: RunControl }): Promise<RunOutcome> {
    const claimed = await claim(jobId, control.events);
    if (claimed === null) return { status: "skipped", reason: "job is missing or has ended" };
    const { attempt } = claimed;

    try {
      return await train(jobId, attempt, control);
    } catch (error) {
      if (error instanceof FencedOut || error instanceof Released) throw error;
      const failure = asJobFailure(error);
      if (failure) {
        await markFailed(jobId, attempt, failure, control.events);
        throw failure;
      }
      if (lastDelivery) {
        const message = error instanceof Error ? error.message : String(error);
        await markFailed(jobId, attempt, new JobFailure("INTERNAL", `training stopped on an internal error: ${message}`), control.events).catch(() => undefined);
      }
      throw error;
    }
  }

  async function train(jobId: string, attempt: number, control: RunControl): Promise<RunOutcome> {
    const job = await db.trainingJob.findUniqueOrThrow({ where: { id: jobId }, include: { checkpoint: true } });
    const dataset = await loadDatasetArrays(db, job.datasetId);
    if (!dataset) throw new JobFailure("DATASET_MISSING", `dataset ${job.datasetId} no longer exists`);

    const training = job.training as unknown as ResolvedTrainingConfig;
    const { spec, model, origin } = await buildModel(job.spec as unknown as ModelSpec | TransferSpec, training.seed);
    if (job.cancelRequested) {
      // Cancelled while its previous worker was gone: end it where its checkpoint left it.
      const epoch = job.checkpoint?.epoch ?? 0;
      await finish(jobId, attempt, "cancelled", `cancelled after ${epoch} epochs`, { epoch }, {}, control.events);
      return { status: "cancelled", epoch };
    }
    const resumeFrom: TrainingCheckpoint | undefined = job.checkpoint ? decodeCheckpoint(job.checkpoint.data) : undefined;

    let best: EpochMetrics | undefined = resumeFrom?.history.reduce<EpochMetrics | undefined>((b, m) => (isBetter(m, b) ? m : b), undefined);
    let pendingMetrics: EpochMetrics | undefined;
    let cancelRequested = false;
    let stopReason: StopReason = null;
    let lastProgress = 0;
    // Training time of earlier attempts (their epochs) counts against the limit too.
    const limitMs = training.timeLimitSeconds === undefined ? Infinity : training.timeLimitSeconds * 1000;
    const deadline = Date.now() + limitMs - (resumeFrom?.history.reduce((sum, m) => sum + m.durationMs, 0) ?? 0);

    const result: FitResult = await fit(
      model,
      { x: dataset.features, y: dataset.labels, numSamples: dataset.numSamples },
      training as EngineTrainingConfig,
      {
        shouldStop: () => {
          stopReason = cancelRequested ? "cancel" : (control.stopReason() ?? (Date.now() > deadline ? "timeLimit" : null));
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
          if (isBetter(metrics, best)) best = metrics;
        },
        onCheckpoint: async (checkpoint) => {
          const recorded = await recordEpoch(jobId, attempt, pendingMetrics!, summary(best!), encodeCheckpoint(checkpoint));
          cancelRequested = recorded.cancelRequested;
          control.events.publish(jobId, recorded.event);
        },
      },
      { resumeFrom },
    );

    const epoch = result.epochs.length;
    if (result.stopped === "cancelled") {
      if (stopReason === "shutdown") {
        // Keep the work of the epoch in progress: the next attempt resumes at this very batch.
        if (result.checkpoint) await saveCheckpoint(jobId, attempt, result.checkpoint);
        throw Released.of(jobId, result.checkpoint?.inProgress ? `epoch ${result.checkpoint.inProgress.epoch}, batch ${result.checkpoint.inProgress.batch}` : `epoch ${epoch}`);
      }
      if (stopReason === "timeLimit") {
        throw new JobFailure("TIME_LIMIT_EXCEEDED", `stopped at its time limit of ${training.timeLimitSeconds} s after ${epoch} completed epochs (their metrics are kept)`, epoch + 1);
      }
      await finish(jobId, attempt, "cancelled", `cancelled after ${epoch} epochs`, { epoch }, {}, control.events);
      return { status: "cancelled", epoch };
    }
    return { status: "succeeded", modelId: await storeModel(jobId, job.projectId, attempt, spec, origin, dataset, model, result, control.events) };
  }

  /** A model from scratch, or from a stored one (transfer learning): kept layers carry its weights. */
  async function buildModel(requested: ModelSpec | TransferSpec, seed: number) {
    if (!isTransferSpec(requested)) return { spec: requested, model: createModel(requested, seed), origin: null };
    const base = await db.model.findUnique({ where: { id: requested.baseModelId }, omit: { weights: false } });
    if (!base) throw new JobFailure("INVALID_SPEC", `base model ${requested.baseModelId} no longer exists`);
    const options = { dropLayers: requested.dropLayers, addLayers: requested.addLayers, freeze: requested.freeze };
    const stored = { spec: base.spec as unknown as ModelSpec, manifest: base.weightManifest as unknown as WeightEntry[], data: base.weights };
    const { spec, model, lineage } = createTransferModel(stored, options, seed);
    return { spec, model, origin: { baseModelId: base.id, lineage } };
  }

  /** A mid-epoch checkpoint, written only while this attempt owns the job. */
  async function saveCheckpoint(jobId: string, attempt: number, checkpoint: TrainingCheckpoint): Promise<void> {
    const data = encodeCheckpoint(checkpoint);
    const written = await db.$executeRaw`
      WITH fence AS (SELECT "id" FROM "TrainingJob" WHERE "id" = ${jobId} AND "attempt" = ${attempt} AND "status" = 'running' FOR UPDATE)
      INSERT INTO "Checkpoint" ("jobId", "epoch", "attempt", "data", "updatedAt")
      SELECT "id", ${checkpoint.epoch}::int, ${attempt}::int, ${Buffer.from(data.buffer, data.byteOffset, data.byteLength)}::bytea, now() FROM fence
      ON CONFLICT ("jobId") DO UPDATE SET "epoch" = EXCLUDED."epoch", "attempt" = EXCLUDED."attempt", "data" = EXCLUDED."data", "updatedAt" = now()`;
    if (written === 0) throw FencedOut.of(jobId, attempt);
  }

  async function storeModel(
    jobId: string,
    projectId: string,
    attempt: number,
    spec: ModelSpec,
    origin: { baseModelId: string; lineage: TransferLineage } | null,
    dataset: { id: string; classNames: string[] },
    model: ReturnType<typeof createModel>,
    result: FitResult,
    events: JobEventSink,
  ): Promise<string> {
    const { manifest, data } = exportWeights(model);
    const modelId = newId("mdl");
    const metrics = {
      ...summary(result.finalMetrics),
      epochs: result.epochs.length,
      keptEpoch: result.keptEpoch,
      stopped: result.stopped,
      augmentation: result.augmentation,
      ...(result.classMetrics ? { classMetrics: result.classMetrics } : {}),
    };
    const message = result.stopped === "earlyStopping" ? `stopped early after ${result.epochs.length} epochs, kept epoch ${result.keptEpoch}` : `trained ${result.epochs.length} epochs`;
    await finish(jobId, attempt, "succeeded", message, { resultModelId: modelId, metrics }, {}, events, (tx) =>
      tx.model.create({
        data: {
          id: modelId,
          projectId,
          sourceJobId: jobId,
          datasetId: dataset.id,
          spec: spec as Prisma.InputJsonValue,
          weightManifest: manifest as unknown as Prisma.InputJsonValue,
          weights: new Uint8Array(data),
          parameterCount: model.parameterCount,
          inputShape: spec.inputShape,
          outputSize: model.outputSize,
          classNames: dataset.classNames,
          metrics: metrics as unknown as Prisma.InputJsonValue,
          ...(origin ? { baseModelId: origin.baseModelId, lineage: origin.lineage as unknown as Prisma.InputJsonValue } : {}),
        },
      }),
    );
    return modelId;
  }

  return { run };
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

/** Lower validation loss is better; without validation, lower training loss. */
function isBetter(metrics: EpochMetrics, best: EpochMetrics | undefined): boolean {
  if (!best) return true;
  return (metrics.valLoss ?? metrics.loss) < (best.valLoss ?? best.loss);
}

function summary(metrics: { loss: number; accuracy?: number; valLoss?: number; valAccuracy?: number; epoch?: number }) {
  const out: Record<string, number> = { loss: metrics.loss };
  for (const key of ["accuracy", "valLoss", "valAccuracy", "epoch"] as const) {
    if (metrics[key] !== undefined) out[key] = metrics[key]!;
  }
  return out;
}

function metricRow(metrics: EpochMetrics) {
  return {
    epoch: metrics.epoch,
    loss: metrics.loss,
    accuracy: metrics.accuracy ?? null,
    valLoss: metrics.valLoss ?? null,
    valAccuracy: metrics.valAccuracy ?? null,
    learningRate: metrics.learningRate,
    durationMs: metrics.durationMs,
  };
}
