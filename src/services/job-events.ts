// The events of a job, as clients see them on GET /v1/jobs/:id/events.
// Durable events (status, epoch, change, done) are rows of JobEvent, written in the
// same statement or transaction as the state they describe; their row id is
// the SSE event id. Progress events are fleeting: published, never stored.

import { jobEndEndpoints, recordDeliveries } from "./webhook-outbox.js";
import type { Static } from "typebox";
import type { Prisma } from "../db/client.js";
import type { StatusChange as StatusChangeSchema } from "../spec/job.js";

export type JobEventType = "status" | "progress" | "epoch" | "change" | "done";

export interface JobEvent {
  /** Set on durable events only: the JobEvent row id, as a decimal string. */
  id?: string;
  type: JobEventType;
  data: Record<string, unknown>;
}

/** Where events go after their row has committed (Redis pub/sub in production). */
export interface JobEventSink {
  publish(jobId: string, event: JobEvent): void;
}

export const silentSink: JobEventSink = { publish: () => undefined };

export type StatusChange = Static<typeof StatusChangeSchema>;

/** Inserts a durable event and returns it with its id (a job's end, status and `done`, is insertJobEnd's). */
export async function insertJobEvent(tx: Prisma.TransactionClient, jobId: string, type: Exclude<JobEventType, "progress" | "done">, data: Record<string, unknown>): Promise<JobEvent> {
  const row = await tx.jobEvent.create({ data: { jobId, type, data: data as Prisma.InputJsonValue }, select: { id: true } });
  return { id: row.id.toString(), type, data };
}

/**
 * A job's end: its status event and its `done` event (in this order), its
 * checkpoint dropped when `dropCheckpoint`, its sweep flagged, and the webhook
 * deliveries of its end, in two statements at most (one when no endpoint
 * wants the event). Returns the two events with their ids.
 */
export async function insertJobEnd(
  tx: Prisma.TransactionClient,
  jobId: string,
  { status, message, done, dropCheckpoint = false }: { status: StatusChange["status"]; message: string; done: Record<string, unknown>; dropCheckpoint?: boolean },
): Promise<[JobEvent, JobEvent]> {
  const statusData = { ...statusChange(status, message) };
  const doneData = { status, ...done };
  const [{ eventIds, endpoints }] = await tx.$queryRaw<{ eventIds: bigint[]; endpoints: string[] }[]>`
    WITH inserted AS (
      INSERT INTO "JobEvent" ("jobId", "type", "data") VALUES (${jobId}, 'status', ${JSON.stringify(statusData)}::jsonb), (${jobId}, 'done', ${JSON.stringify(doneData)}::jsonb)
      RETURNING "id"
    ), flagged AS (
      -- A sweep's trial ended: its sweep starts the next trials (services/sweeps.ts, advance).
      UPDATE "Sweep" SET "needsAdvance" = true WHERE "id" = (SELECT "sweepId" FROM "TrainingJob" WHERE "id" = ${jobId}) AND "status" = 'running'
    ), dropped AS (
      DELETE FROM "Checkpoint" WHERE "jobId" = ${jobId} AND ${dropCheckpoint}
    )
    SELECT ARRAY(SELECT "id" FROM inserted ORDER BY "id") AS "eventIds", ${jobEndEndpoints(jobId, status)} AS "endpoints"`;
  if (endpoints.length > 0) await recordDeliveries(tx, endpoints, status, { jobId, ...doneData });
  return [
    { id: eventIds[0].toString(), type: "status", data: statusData },
    { id: eventIds[1].toString(), type: "done", data: doneData },
  ];
}

export function statusChange(status: StatusChange["status"], message: string, at = new Date()): StatusChange {
  return { status, at: at.toISOString(), message };
}
