// Everything a training run writes, fenced by the job's attempt number:
// delivery is at least once, so a worker whose attempt is no longer current
// writes nothing (each write's WHERE names the attempt, and a write that
// matched no row throws FencedOut). Each epoch's metrics row, checkpoint and
// event land in one statement.

import { Prisma, type Database } from "../db/client.js";
import { toJson } from "../db/json-columns.js";
import type { EpochMetrics, TrainingCheckpoint } from "../engine/index.js";
import { encodeCheckpoint } from "../engine/index.js";
import { insertJobEnd, insertJobEvent, statusChange, type JobEvent, type JobEventSink } from "./job-events.js";
import { FencedOut, type JobFailure } from "./training-errors.js";

/** A job's best metrics so far (loss, accuracy?, valLoss?, valAccuracy?, epoch). */
export type MetricsSummary = Record<string, number>;

/** The settings PATCH /v1/jobs/:id may change while the job runs, as the job's row has them now (patience: null without early stopping). */
export interface LiveSettings {
  learningRate: number;
  epochs: number;
  patience: number | null;
}

/** A job's labels and fingerprint, which its model starts with. */
export interface JobLabels {
  name: string | null;
  description: string;
  tags: string[];
  fingerprint: string | null;
}

/** A job as its worker claimed it: what training it needs. */
export interface ClaimedJob {
  id: string;
  attempt: number;
  projectId: string;
  datasetId: string;
  /** The dataset's checksum; null when it was deleted. */
  datasetChecksum: string | null;
  sweepId: string | null;
  verifiesModelId: string | null;
  spec: unknown;
  training: unknown;
  pipeline: unknown;
  cancelRequested: boolean;
  pauseRequested: boolean;
  /** The epoch the checkpoint holds (0: none). */
  resumeEpoch: number;
  checkpoint: { epoch: number; data: Uint8Array } | null;
}

export interface Attempt {
  jobId: string;
  attempt: number;
}

export interface EpochRecord extends Attempt {
  metrics: EpochMetrics;
  best: MetricsSummary;
  checkpoint: TrainingCheckpoint;
}

export interface Ending extends Attempt {
  status: "succeeded" | "failed" | "cancelled";
  /** The status event's message. */
  message: string;
  /** The `done` event's data, beside its status. */
  done: Record<string, unknown>;
  /** More columns of the job to set. */
  job?: Prisma.TrainingJobUpdateManyMutationInput;
  events: JobEventSink;
  /** More writes in the same transaction (the model), given the job's labels and fingerprint as its row has them now. */
  write?: (tx: Prisma.TransactionClient, labels: JobLabels) => Promise<unknown>;
}

/** `checkpointsKept`: each epoch's checkpoint is also kept, for forks, as long as it is among the latest this many. */
export function createTrainingStore({ db, checkpointsKept = 0 }: { db: Database; checkpointsKept?: number }) {
  /** Ends the job (fenced): its final status, its status and done events, its checkpoint dropped, and whatever `write` adds (given the job's labels as its row has them now), in one transaction. */
  async function finish({ jobId, attempt, status, message, done, job = {}, events, write }: Ending): Promise<void> {
    const published = await db.$transaction(async (tx) => {
      const [labels] = await tx.trainingJob.updateManyAndReturn({
        where: { id: jobId, attempt, status: "running" },
        data: { ...job, status, finishedAt: new Date() },
        select: { name: true, description: true, tags: true, fingerprint: true },
      });
      if (!labels) throw FencedOut.of(jobId, attempt);
      if (write) await write(tx, labels);
      return insertJobEnd(tx, jobId, { status, message, done, dropCheckpoint: true });
    });
    for (const event of published) events.publish(jobId, event);
  }

  return {
    finish,

    /**
     * Moves a queued (or re-delivered running) job to running under a new
     * attempt number, which fences out any earlier attempt still alive, and
     * returns what training it needs: the job's row, its checkpoint, whether
     * its dataset still exists. One statement with the status event (a tiny
     * job's start is a few round trips, not a transaction's many). Null when
     * the job is missing or has ended.
     */
    async claim(jobId: string, events: JobEventSink): Promise<ClaimedJob | null> {
      const rows = await db.$queryRaw<(Omit<ClaimedJob, "checkpoint"> & { checkpoint: Uint8Array | null; eventId: bigint; eventData: Record<string, unknown> })[]>`
        WITH claimed AS (
          UPDATE "TrainingJob" SET "status" = 'running', "attempt" = "attempt" + 1, "startedAt" = now(), "updatedAt" = now()
          WHERE "id" = ${jobId} AND "status" IN ('queued', 'running')
          RETURNING "id", "attempt", "projectId", "datasetId", "sweepId", "verifiesModelId", "spec", "training", "pipeline", "cancelRequested", "pauseRequested"
        ), resumed AS (
          SELECT c."epoch", c."data" FROM "Checkpoint" c JOIN claimed ON c."jobId" = claimed."id"
        ), event AS (
          INSERT INTO "JobEvent" ("jobId", "type", "data")
          SELECT claimed."id", 'status', jsonb_build_object(
            'status', 'running', 'at', ${new Date().toISOString()}::text, 'attempt', claimed."attempt",
            'message', CASE WHEN resumed."epoch" > 0 THEN format('attempt %s, resuming after epoch %s', claimed."attempt", resumed."epoch") ELSE format('attempt %s', claimed."attempt") END)
          FROM claimed LEFT JOIN resumed ON true
          RETURNING "id", "data"
        )
        SELECT claimed.*, COALESCE(resumed."epoch", 0) AS "resumeEpoch", resumed."data" AS "checkpoint",
          d."checksum" AS "datasetChecksum", event."id" AS "eventId", event."data" AS "eventData"
        FROM claimed LEFT JOIN resumed ON true LEFT JOIN "Dataset" d ON d."id" = claimed."datasetId" AND d."deletedAt" IS NULL, event`;
      if (rows.length === 0) return null;
      const { eventId, eventData, checkpoint, ...job } = rows[0];
      events.publish(jobId, { id: eventId.toString(), type: "status", data: eventData });
      return { ...job, checkpoint: checkpoint === null ? null : { epoch: job.resumeEpoch, data: checkpoint } };
    },

    /**
     * The epoch's metrics row, its checkpoint, its event and the job's
     * progress, in one statement: the fence (UPDATE ... WHERE attempt) feeds
     * every INSERT, so a stale attempt writes nothing, and a re-run epoch
     * replaces its rows. One round trip instead of an interactive
     * transaction's many. Returns the event and whether a cancel was
     * requested meanwhile.
     */
    async recordEpoch({ jobId, attempt, metrics, best, checkpoint }: EpochRecord): Promise<{ event: JobEvent; cancelRequested: boolean; pauseRequested: boolean; live: LiveSettings }> {
      const row = metricRow(metrics);
      const bytes = encodeCheckpoint(checkpoint);
      const written = await db.$queryRaw<{ eventId: bigint; cancelRequested: boolean; pauseRequested: boolean; live: LiveSettings }[]>`
        WITH blob AS (
          SELECT ${asBuffer(bytes)}::bytea AS "data"
        ), fence AS (
          UPDATE "TrainingJob" SET "epoch" = ${row.epoch}, "bestMetrics" = ${JSON.stringify(best)}::jsonb, "updatedAt" = now()
          WHERE "id" = ${jobId} AND "attempt" = ${attempt} AND "status" = 'running'
          RETURNING "id", "cancelRequested", "pauseRequested",
            jsonb_build_object('learningRate', "training"->'optimizer'->'learningRate', 'epochs', "training"->'epochs', 'patience', "training"->'earlyStopping'->'patience') AS "live"
        ), metric AS (
          INSERT INTO "EpochMetric" ("jobId", "epoch", "loss", "accuracy", "valLoss", "valAccuracy", "mae", "valMae", "learningRate", "durationMs")
          SELECT "id", ${row.epoch}::int, ${row.loss}::float8, ${row.accuracy}::float8, ${row.valLoss}::float8,
                 ${row.valAccuracy}::float8, ${row.mae}::float8, ${row.valMae}::float8, ${row.learningRate}::float8, ${row.durationMs}::float8
          FROM fence
          ON CONFLICT ("jobId", "epoch") DO UPDATE SET
            "loss" = EXCLUDED."loss", "accuracy" = EXCLUDED."accuracy", "valLoss" = EXCLUDED."valLoss",
            "valAccuracy" = EXCLUDED."valAccuracy", "mae" = EXCLUDED."mae", "valMae" = EXCLUDED."valMae",
            "learningRate" = EXCLUDED."learningRate", "durationMs" = EXCLUDED."durationMs"
        ), saved AS (
          INSERT INTO "Checkpoint" ("jobId", "epoch", "attempt", "data", "updatedAt")
          SELECT "id", ${row.epoch}::int, ${attempt}::int, blob."data", now()
          FROM fence, blob
          ON CONFLICT ("jobId") DO UPDATE SET "epoch" = EXCLUDED."epoch", "attempt" = EXCLUDED."attempt", "data" = EXCLUDED."data", "updatedAt" = now()
        )${checkpointsKept > 0 ? keptForForks(row.epoch, bytes.byteLength, checkpointsKept) : Prisma.empty}, event AS (
          INSERT INTO "JobEvent" ("jobId", "type", "data") SELECT "id", 'epoch', ${JSON.stringify(row)}::jsonb FROM fence
          RETURNING "id"
        )
        SELECT event."id" AS "eventId", fence."cancelRequested", fence."pauseRequested", fence."live" FROM fence, event`;
      if (written.length === 0) throw FencedOut.of(jobId, attempt);
      const [{ eventId, cancelRequested, pauseRequested, live }] = written;
      return { event: { id: eventId.toString(), type: "epoch", data: row }, cancelRequested, pauseRequested, live };
    },

    /** A mid-epoch checkpoint (shutdown), written only while this attempt owns the job. */
    async saveCheckpoint({ jobId, attempt, checkpoint }: Attempt & { checkpoint: TrainingCheckpoint }): Promise<void> {
      await writeCheckpoint(db, { jobId, attempt, checkpoint });
    },

    /**
     * Pauses the job (fenced): its checkpoint of the batch it stopped at (none
     * when it stopped before training, keeping the one it has), status
     * `paused` with its event, the pause request cleared, in one transaction.
     * Its worker is free once this returns; resume queues the job again. `write` adds to the transaction (a sweep trial's wait at a rung).
     */
    async pause({
      jobId,
      attempt,
      checkpoint,
      message,
      events,
      write,
    }: Attempt & { checkpoint: TrainingCheckpoint | undefined; message: string; events: JobEventSink; write?: (tx: Prisma.TransactionClient) => Promise<unknown> }): Promise<void> {
      const event = await db.$transaction(async (tx) => {
        if (checkpoint) await writeCheckpoint(tx, { jobId, attempt, checkpoint });
        const { count } = await tx.trainingJob.updateMany({ where: { id: jobId, attempt, status: "running" }, data: { status: "paused", pauseRequested: false } });
        if (count === 0) throw FencedOut.of(jobId, attempt);
        if (write) await write(tx);
        return insertJobEvent(tx, jobId, "status", { ...statusChange("paused", message) });
      });
      events.publish(jobId, event);
    },

    async markFailed({ jobId, attempt, failure, events }: Attempt & { failure: JobFailure; events: JobEventSink }): Promise<void> {
      const error = { code: failure.code, message: failure.message, ...(failure.epoch ? { epoch: failure.epoch, batch: failure.batch } : {}) };
      await finish({ jobId, attempt, status: "failed", message: failure.message, done: { error }, job: { error: toJson(error) }, events });
    },
  };
}

export type TrainingStore = ReturnType<typeof createTrainingStore>;

/**
 * recordEpoch's part for forks: the epoch's checkpoint (the statement's blob,
 * sent once) kept among the latest `checkpointsKept`, older ones dropped.
 * Left out of the statement when none are kept.
 */
function keptForForks(epoch: number, byteLength: number, checkpointsKept: number): Prisma.Sql {
  return Prisma.sql`, kept AS (
          INSERT INTO "EpochCheckpoint" ("jobId", "epoch", "data", "bytes")
          SELECT "id", ${epoch}::int, blob."data", ${byteLength}::int FROM fence, blob
          ON CONFLICT ("jobId", "epoch") DO UPDATE SET "data" = EXCLUDED."data", "bytes" = EXCLUDED."bytes", "createdAt" = now()
        ), dropped AS (
          DELETE FROM "EpochCheckpoint" WHERE "jobId" = (SELECT "id" FROM fence) AND "epoch" <= ${epoch - checkpointsKept}::int
        )`;
}

/** Writes the attempt's checkpoint, only while the attempt owns the job (in a transaction, the job's row stays locked until it ends). */
async function writeCheckpoint(tx: Pick<Prisma.TransactionClient, "$executeRaw">, { jobId, attempt, checkpoint }: Attempt & { checkpoint: TrainingCheckpoint }): Promise<void> {
  const bytes = encodeCheckpoint(checkpoint);
  const written = await tx.$executeRaw`
    WITH fence AS (SELECT "id" FROM "TrainingJob" WHERE "id" = ${jobId} AND "attempt" = ${attempt} AND "status" = 'running' FOR UPDATE)
    INSERT INTO "Checkpoint" ("jobId", "epoch", "attempt", "data", "updatedAt")
    SELECT "id", ${checkpoint.epoch}::int, ${attempt}::int, ${asBuffer(bytes)}::bytea, now() FROM fence
    ON CONFLICT ("jobId") DO UPDATE SET "epoch" = EXCLUDED."epoch", "attempt" = EXCLUDED."attempt", "data" = EXCLUDED."data", "updatedAt" = now()`;
  if (written === 0) throw FencedOut.of(jobId, attempt);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function metricRow(metrics: EpochMetrics) {
  return {
    epoch: metrics.epoch,
    loss: metrics.loss,
    accuracy: metrics.accuracy ?? null,
    valLoss: metrics.valLoss ?? null,
    valAccuracy: metrics.valAccuracy ?? null,
    mae: metrics.mae ?? null,
    valMae: metrics.valMae ?? null,
    learningRate: metrics.learningRate,
    durationMs: metrics.durationMs,
  };
}
