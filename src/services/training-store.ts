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

/** Epochs in order, each with the checkpoint at its end; `best`: the job's best metrics after the last. */
export interface EpochsRecord extends Attempt {
  epochs: { metrics: EpochMetrics; checkpoint: TrainingCheckpoint }[];
  best: MetricsSummary;
}

export interface RecordedEpochs {
  /** The epochs' events, to publish. */
  events: JobEvent[];
  cancelRequested: boolean;
  pauseRequested: boolean;
  /** The settings in the job's row now (a PATCH may have changed them). */
  live: LiveSettings;
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

  /**
   * Epochs' metrics rows, events and checkpoints (the last one as the job's
   * checkpoint; each one kept for forks when checkpoints are kept), and the
   * job's progress, in one statement: the fence (UPDATE ... WHERE attempt)
   * feeds every INSERT, so a stale attempt writes nothing, and a re-run epoch
   * replaces its rows. One round trip however many epochs, instead of an
   * interactive transaction's many per epoch. Returns the events and what
   * the job's row says now: a cancel or pause requested, the live settings.
   */
  async function recordEpochs({ jobId, attempt, epochs, best }: EpochsRecord): Promise<RecordedEpochs> {
    const last = epochs[epochs.length - 1];
    const lastEpoch = last.metrics.epoch;
    // Only the checkpoints that will be kept are sent: every epoch's when forks keep them, else the last.
    const sent = checkpointsKept > 0 ? epochs.filter((e) => e.metrics.epoch > lastEpoch - checkpointsKept) : [last];
    const encoded = sent.map((e) => encodeCheckpoint(e.checkpoint));
    const blob = concatBytes(encoded);
    let offset = 0;
    const slices = new Map(sent.map((e, i) => [e.metrics.epoch, { at: (offset += encoded[i].byteLength) - encoded[i].byteLength, bytes: encoded[i].byteLength }]));
    const rows = epochs.map(({ metrics }) => ({ ...metricRow(metrics), ...(slices.get(metrics.epoch) ?? { at: null, bytes: null }) }));
    const lastSlice = slices.get(lastEpoch)!;
    const written = await db.$queryRaw<{ eventIds: bigint[]; cancelRequested: boolean; pauseRequested: boolean; live: LiveSettings }[]>`
      WITH blob AS (
        SELECT ${asBuffer(blob)}::bytea AS "data"
      ), epochs AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
          "epoch" int, "loss" float8, "accuracy" float8, "valLoss" float8, "valAccuracy" float8, "mae" float8, "valMae" float8,
          "learningRate" float8, "durationMs" float8, "at" int, "bytes" int)
      ), fence AS (
        UPDATE "TrainingJob" SET "epoch" = ${lastEpoch}, "bestMetrics" = ${JSON.stringify(best)}::jsonb, "updatedAt" = now()
        WHERE "id" = ${jobId} AND "attempt" = ${attempt} AND "status" = 'running'
        RETURNING "id", "cancelRequested", "pauseRequested",
          jsonb_build_object('learningRate', "training"->'optimizer'->'learningRate', 'epochs', "training"->'epochs', 'patience', "training"->'earlyStopping'->'patience') AS "live"
      ), metric AS (
        INSERT INTO "EpochMetric" ("jobId", "epoch", "loss", "accuracy", "valLoss", "valAccuracy", "mae", "valMae", "learningRate", "durationMs")
        SELECT fence."id", e."epoch", e."loss", e."accuracy", e."valLoss", e."valAccuracy", e."mae", e."valMae", e."learningRate", e."durationMs"
        FROM fence, epochs e
        ON CONFLICT ("jobId", "epoch") DO UPDATE SET
          "loss" = EXCLUDED."loss", "accuracy" = EXCLUDED."accuracy", "valLoss" = EXCLUDED."valLoss",
          "valAccuracy" = EXCLUDED."valAccuracy", "mae" = EXCLUDED."mae", "valMae" = EXCLUDED."valMae",
          "learningRate" = EXCLUDED."learningRate", "durationMs" = EXCLUDED."durationMs"
      ), saved AS (
        INSERT INTO "Checkpoint" ("jobId", "epoch", "attempt", "data", "updatedAt")
        SELECT fence."id", ${lastEpoch}::int, ${attempt}::int, substring(blob."data" FROM ${lastSlice.at + 1}::int FOR ${lastSlice.bytes}::int), now()
        FROM fence, blob
        ON CONFLICT ("jobId") DO UPDATE SET "epoch" = EXCLUDED."epoch", "attempt" = EXCLUDED."attempt", "data" = EXCLUDED."data", "updatedAt" = now()
      )${checkpointsKept > 0 ? keptForForks(lastEpoch, checkpointsKept) : Prisma.empty}, event AS (
        INSERT INTO "JobEvent" ("jobId", "type", "data")
        SELECT fence."id", 'epoch', to_jsonb(e) - 'at' - 'bytes' FROM fence, epochs e ORDER BY e."epoch"
        RETURNING "id"
      )
      SELECT ARRAY(SELECT "id" FROM event ORDER BY "id") AS "eventIds", fence."cancelRequested", fence."pauseRequested", fence."live" FROM fence`;
    if (written.length === 0) throw FencedOut.of(jobId, attempt);
    const [{ eventIds, cancelRequested, pauseRequested, live }] = written;
    const events = rows.map(({ at: _at, bytes: _bytes, ...data }, i): JobEvent => ({ id: eventIds[i].toString(), type: "epoch", data }));
    return { events, cancelRequested, pauseRequested, live };
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

    recordEpochs,

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
 * recordEpochs' part for forks: the epochs' checkpoints (slices of the
 * statement's blob, sent once) kept among the latest `checkpointsKept`, older
 * ones dropped. Left out of the statement when none are kept.
 */
function keptForForks(lastEpoch: number, checkpointsKept: number): Prisma.Sql {
  return Prisma.sql`, kept AS (
          INSERT INTO "EpochCheckpoint" ("jobId", "epoch", "data", "bytes")
          SELECT fence."id", e."epoch", substring(blob."data" FROM e."at" + 1 FOR e."bytes"), e."bytes" FROM fence, blob, epochs e
          WHERE e."bytes" IS NOT NULL
          ON CONFLICT ("jobId", "epoch") DO UPDATE SET "data" = EXCLUDED."data", "bytes" = EXCLUDED."bytes", "createdAt" = now()
        ), dropped AS (
          DELETE FROM "EpochCheckpoint" WHERE "jobId" = (SELECT "id" FROM fence) AND "epoch" <= ${lastEpoch - checkpointsKept}::int
        )`;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) out.set(part, (at += part.byteLength) - part.byteLength);
  return out;
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
