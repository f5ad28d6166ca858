// The worker's use case: train one job from Postgres and write its results
// back. Delivery is at least once, so every write is fenced by the job's
// attempt number: a worker whose attempt is no longer current writes nothing.

import type { Database } from "../db/client.js";
import { Prisma } from "../db/client.js";
import { newId } from "../db/ids.js";
import {
  createModel,
  exportWeights,
  fit,
  SpecError,
  TrainingError,
  type EpochMetrics,
  type TrainingConfig as EngineTrainingConfig,
} from "../engine/index.js";
import type { ModelSpec } from "../spec/model-spec.js";
import type { ResolvedTrainingConfig } from "./job-validation.js";
import { loadDatasetArrays } from "./datasets.js";

export type FailureCode = "NON_FINITE_LOSS" | "INVALID_SPEC" | "DATASET_MISSING" | "INTERNAL";

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
  constructor(jobId: string, attempt: number) {
    super(`job ${jobId}: attempt ${attempt} is no longer current; stopping without writing`);
    this.name = "FencedOut";
  }
}

export type RunOutcome = { status: "succeeded"; modelId: string } | { status: "skipped"; reason: string };

export function createTrainingRunner({ db }: { db: Database }) {
  /** Moves a queued (or re-delivered running) job to running and takes a new attempt number. */
  async function claim(jobId: string): Promise<number | null> {
    const rows = await db.trainingJob.updateManyAndReturn({
      where: { id: jobId, status: { in: ["queued", "running"] } },
      data: { status: "running", attempt: { increment: 1 }, startedAt: new Date() },
      select: { attempt: true },
    });
    return rows[0]?.attempt ?? null;
  }

  /** Runs `write` in a transaction only while `attempt` is the job's current one. */
  async function fenced(jobId: string, attempt: number, data: Prisma.TrainingJobUpdateManyMutationInput, write?: (tx: Prisma.TransactionClient) => Promise<unknown>) {
    await db.$transaction(async (tx) => {
      const { count } = await tx.trainingJob.updateMany({ where: { id: jobId, attempt, status: "running" }, data });
      if (count === 0) throw new FencedOut(jobId, attempt);
      if (write) await write(tx);
    });
  }

  /**
   * The epoch's metrics row and the job's progress, in one statement: the
   * fence (UPDATE ... WHERE attempt) feeds the INSERT, so a stale attempt
   * writes nothing, and a re-run of the epoch replaces its row. One round trip
   * instead of an interactive transaction's four: small epochs take well
   * under a millisecond, and the write would otherwise dominate them.
   */
  async function recordEpoch(jobId: string, attempt: number, metrics: EpochMetrics, best: Record<string, number>): Promise<void> {
    const row = metricRow(metrics);
    const written = await db.$queryRaw<{ epoch: number }[]>`
      WITH fence AS (
        UPDATE "TrainingJob" SET "epoch" = ${row.epoch}, "bestMetrics" = ${JSON.stringify(best)}::jsonb, "updatedAt" = now()
        WHERE "id" = ${jobId} AND "attempt" = ${attempt} AND "status" = 'running'
        RETURNING "id"
      )
      INSERT INTO "EpochMetric" ("jobId", "epoch", "loss", "accuracy", "valLoss", "valAccuracy", "learningRate", "durationMs")
      SELECT "id", ${row.epoch}::int, ${row.loss}::float8, ${row.accuracy}::float8, ${row.valLoss}::float8,
             ${row.valAccuracy}::float8, ${row.learningRate}::float8, ${row.durationMs}::float8
      FROM fence
      ON CONFLICT ("jobId", "epoch") DO UPDATE SET
        "loss" = EXCLUDED."loss", "accuracy" = EXCLUDED."accuracy", "valLoss" = EXCLUDED."valLoss",
        "valAccuracy" = EXCLUDED."valAccuracy", "learningRate" = EXCLUDED."learningRate", "durationMs" = EXCLUDED."durationMs"
      RETURNING "epoch"`;
    if (written.length === 0) throw new FencedOut(jobId, attempt);
  }

  async function markFailed(jobId: string, attempt: number, failure: JobFailure): Promise<void> {
    const error = { code: failure.code, message: failure.message, ...(failure.epoch ? { epoch: failure.epoch, batch: failure.batch } : {}) };
    await fenced(jobId, attempt, { status: "failed", error, finishedAt: new Date() });
  }

  /**
   * Trains the job. Deterministic failures mark it failed and throw JobFailure;
   * other errors are thrown as they are (the queue retries them), and on the
   * last delivery they mark the job failed with INTERNAL first.
   */
  async function run(jobId: string, { lastDelivery }: { lastDelivery: boolean }): Promise<RunOutcome> {
    const attempt = await claim(jobId);
    if (attempt === null) return { status: "skipped", reason: "job is missing or has already ended" };

    try {
      return { status: "succeeded", modelId: await train(jobId, attempt) };
    } catch (error) {
      if (error instanceof FencedOut) throw error;
      const failure = asJobFailure(error);
      if (failure) {
        await markFailed(jobId, attempt, failure);
        throw failure;
      }
      if (lastDelivery) {
        const message = error instanceof Error ? error.message : String(error);
        await markFailed(jobId, attempt, new JobFailure("INTERNAL", `training stopped on an internal error: ${message}`)).catch(() => undefined);
      }
      throw error;
    }
  }

  async function train(jobId: string, attempt: number): Promise<string> {
    const job = await db.trainingJob.findUniqueOrThrow({ where: { id: jobId } });
    const dataset = await loadDatasetArrays(db, job.datasetId);
    if (!dataset) throw new JobFailure("DATASET_MISSING", `dataset ${job.datasetId} no longer exists`);

    const spec = job.spec as unknown as ModelSpec;
    const training = job.training as unknown as ResolvedTrainingConfig;
    const model = createModel(spec, training.seed);
    let best: EpochMetrics | undefined;

    const result = await fit(model, { x: dataset.features, y: dataset.labels, numSamples: dataset.numSamples }, training as EngineTrainingConfig, {
      onEpochEnd: async (metrics) => {
        if (isBetter(metrics, best)) best = metrics;
        await recordEpoch(jobId, attempt, metrics, summary(best!));
      },
    });

    const { manifest, data } = exportWeights(model);
    const modelId = newId("mdl");
    await fenced(jobId, attempt, { status: "succeeded", finishedAt: new Date() }, (tx) =>
      tx.model.create({
        data: {
          id: modelId,
          sourceJobId: jobId,
          datasetId: dataset.id,
          spec: spec as Prisma.InputJsonValue,
          weightManifest: manifest as unknown as Prisma.InputJsonValue,
          weights: new Uint8Array(data),
          parameterCount: model.parameterCount,
          inputShape: spec.inputShape,
          outputSize: model.outputSize,
          classNames: dataset.classNames,
          metrics: { ...summary(result.finalMetrics), epochs: result.epochs.length, stopped: result.stopped } as Prisma.InputJsonValue,
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
  if (error instanceof TrainingError) return new JobFailure("NON_FINITE_LOSS", error.message, error.epoch, error.batch);
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
