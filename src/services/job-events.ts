// The events of a job, as clients see them on GET /v1/jobs/:id/events.
// Durable events (status, epoch, change, done) are rows of JobEvent, written in the
// same statement or transaction as the state they describe; their row id is
// the SSE event id. Progress events are fleeting: published, never stored.

import { recordJobEndDeliveries } from "./webhook-outbox.js";
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

/** Inserts a durable event and returns it with its id; a `done` event also writes its webhook deliveries and flags its sweep. */
export async function insertJobEvent(
  tx: Prisma.TransactionClient,
  jobId: string,
  type: Exclude<JobEventType, "progress">,
  data: Record<string, unknown>,
): Promise<JobEvent> {
  const row = await tx.jobEvent.create({ data: { jobId, type, data: data as Prisma.InputJsonValue }, select: { id: true } });
  if (type === "done") {
    await recordJobEndDeliveries(tx, jobId, data);
    // A sweep's trial ended: its sweep starts the next trials (services/sweeps.ts, advance).
    await tx.$executeRaw`UPDATE "Sweep" SET "needsAdvance" = true WHERE "id" = (SELECT "sweepId" FROM "TrainingJob" WHERE "id" = ${jobId}) AND "status" = 'running'`;
  }
  return { id: row.id.toString(), type, data };
}

export function statusChange(status: StatusChange["status"], message: string, at = new Date()): StatusChange {
  return { status, at: at.toISOString(), message };
}
