// Forks (POST /v1/jobs/:id/fork): a new job that starts where another stood
// after one of its epochs. It gets that epoch's kept checkpoint as its own, the
// source's metric rows and epoch events up to it, and the training config in
// force for the next epoch (changes the source took later are undone), with
// the fork's overrides on top. A fork without overrides trains the source's
// bits; its worker resumes it like any job.

import type { Database, Prisma } from "../db/client.js";
import { newId } from "../db/ids.js";
import { decodeTrainingChange, decodeTrainingConfig, toJson } from "../db/json-columns.js";
import { DescentError, notFound } from "../errors.js";
import type { ForkInput, TrainingChangeView } from "../spec/job.js";
import type { TrainingConfig } from "../spec/training-config.js";
import { forkFingerprint } from "./job-fingerprint.js";
import { insertJobEvent, statusChange } from "./job-events.js";
import { reserveQueuedSlot, sourceWork } from "./job-queries.js";
import { withLiveChanges } from "./live-changes.js";

/** The new job's id and its rank among its project's active jobs (for the queue). */
export interface Forked {
  jobId: string;
  rank: number;
}

/**
 * Stores the fork, queued, with its checkpoint, metrics and events, in one
 * transaction under the project's lock (the active-job cap holds as for a
 * submission). Enqueueing is the caller's.
 */
export async function forkJob(db: Database, { projectId, sourceId, input, maxActive }: { projectId: string; sourceId: string; input: ForkInput; maxActive: number }): Promise<Forked> {
  const source = await db.trainingJob.findFirst({ where: { id: sourceId, projectId } });
  if (!source) throw notFound("job", sourceId);
  const { fromEpoch } = input;
  if (fromEpoch > source.epoch) conflict("/fromEpoch", `job ${sourceId} has trained ${source.epoch} epochs; a fork starts after one of them`);
  const kept = await db.epochCheckpoint.findUnique({ where: { jobId_epoch: { jobId: sourceId, epoch: fromEpoch } }, select: { data: true } });
  if (!kept) {
    const epochs = (await db.epochCheckpoint.findMany({ where: { jobId: sourceId }, orderBy: { epoch: "asc" }, select: { epoch: true } })).map((c) => c.epoch);
    const have = epochs.length === 0 ? "none is kept" : `those of epochs ${epochs[0]} to ${epochs.at(-1)} are kept`;
    conflict("/fromEpoch", `the checkpoint of epoch ${fromEpoch} of job ${sourceId} is not kept (${have}; CHECKPOINTS_KEPT sets how many)`);
  }
  const training = trainingAt(source, await changeEvents(db, sourceId), await epochEventId(db, sourceId, fromEpoch));
  const { training: forked, fields } = input.training ? withLiveChanges(training, input.training, fromEpoch) : { training, fields: [] };
  const jobId = newId("job");
  const fingerprint = source.fingerprint === null ? null : fields.length === 0 ? source.fingerprint : forkFingerprint(source.fingerprint, fromEpoch, input.training!);
  const rank = await db.$transaction(async (tx) => {
    const rank = await reserveQueuedSlot(tx, projectId, maxActive);
    const metrics = await tx.epochMetric.findMany({ where: { jobId: sourceId, epoch: { lte: fromEpoch } }, orderBy: { epoch: "asc" } });
    await tx.trainingJob.create({
      data: {
        id: jobId,
        projectId,
        ...sourceWork(source),
        training: toJson(forked),
        totalEpochs: forked.epochs,
        epoch: fromEpoch,
        fingerprint,
        name: input.name ?? (source.name === null ? null : `${source.name} (fork at epoch ${fromEpoch})`),
        description: input.description ?? source.description,
        tags: input.tags ?? source.tags,
        forkedFromJobId: sourceId,
        forkedFromEpoch: fromEpoch,
      },
    });
    await tx.checkpoint.create({ data: { jobId, epoch: fromEpoch, attempt: 0, data: kept.data } });
    await tx.epochMetric.createMany({ data: metrics.map(({ jobId: _source, createdAt: _at, ...row }) => ({ ...row, jobId })) });
    await insertJobEvent(tx, jobId, "status", { ...statusChange("queued", `forked from job ${sourceId} after epoch ${fromEpoch}`) });
    // Its stream replays the source's epochs it starts from, then its own.
    for (const row of metrics) {
      const { jobId: _source, createdAt: _at, ...data } = row;
      await insertJobEvent(tx, jobId, "epoch", data);
    }
    if (fields.length > 0) await insertJobEvent(tx, jobId, "change", { at: new Date().toISOString(), epoch: fromEpoch, fields });
    return rank;
  });
  return { jobId, rank };
}

/** The source's training change events, oldest first, with their ids. */
async function changeEvents(db: Database, jobId: string) {
  const rows = await db.jobEvent.findMany({ where: { jobId, type: "change" }, orderBy: { id: "asc" }, select: { id: true, data: true } });
  return rows.map((row) => ({ id: row.id, change: decodeTrainingChange(row.data, `a change event of job ${jobId}`) }));
}

/** The id of the (last) event that recorded the epoch: changes before it were applied after it. */
async function epochEventId(db: Database, jobId: string, epoch: number): Promise<bigint> {
  const rows = await db.$queryRaw<{ id: bigint }[]>`
    SELECT max("id") AS "id" FROM "JobEvent" WHERE "jobId" = ${jobId} AND "type" = 'epoch' AND ("data"->>'epoch')::int = ${epoch}`;
  return rows[0]?.id ?? 0n;
}

/**
 * The source's training as it stood for the epoch after the one whose event is
 * `epochEvent`: its current config with every change recorded after that event
 * undone, newest first.
 */
export function trainingAt(source: { id: string; training: Prisma.JsonValue }, changes: { id: bigint; change: TrainingChangeView }[], epochEvent: bigint): TrainingConfig {
  let training = decodeTrainingConfig(source.training, `job ${source.id}'s training config`);
  for (const { id, change } of [...changes].reverse()) {
    // Recorded before the epoch's row: the source applied it after that epoch, so it is in force.
    if (id < epochEvent) break;
    for (const field of change.fields) training = withField(training, field.path, field.from);
  }
  return training;
}

/** The training with one live-changeable field set back to `value` (null: the field was absent). */
function withField(training: TrainingConfig, path: string, value: number | null): TrainingConfig {
  switch (path) {
    case "/training/optimizer/learningRate":
      return { ...training, optimizer: { ...training.optimizer, learningRate: value! } };
    case "/training/epochs":
      return { ...training, epochs: value! };
    case "/training/earlyStopping/patience":
      return training.earlyStopping ? { ...training, earlyStopping: { ...training.earlyStopping, ...(value === null ? {} : { patience: value }) } } : training;
    default:
      return training;
  }
}

function conflict(path: string, message: string): never {
  throw new DescentError("CONFLICT", message, [{ path, message }]);
}
