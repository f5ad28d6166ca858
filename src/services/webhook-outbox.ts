// A job's end (or a sweep's completion), as webhook deliveries: written in the transaction that writes
// its `done` event (so an event is never lost nor sent for a rolled-back
// end), one row per endpoint of the project that wants the event. Workers
// put them on the webhook queue and deliver them (webhook-deliveries.ts).

import { Prisma } from "../db/client.js";
import { newId } from "../db/ids.js";
import type { WebhookView } from "../spec/webhook.js";

type WebhookEvent = WebhookView["events"][number];

const EVENT_OF_STATUS: Record<string, WebhookEvent> = { succeeded: "job.succeeded", failed: "job.failed", cancelled: "job.cancelled" };

/** The body of a delivery, as Standard Webhooks suggests: {type, timestamp, data}. */
export function webhookPayload(type: WebhookEvent, data: Record<string, unknown>, at = new Date()): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}

/** SQL: the ids of the endpoints of the job's project that want the event of its end as `status` (an empty array when none). */
export function jobEndEndpoints(jobId: string, status: string): Prisma.Sql {
  const type = EVENT_OF_STATUS[status] ?? "";
  return Prisma.sql`ARRAY(SELECT e."id" FROM "WebhookEndpoint" e JOIN "TrainingJob" j ON j."projectId" = e."projectId" WHERE j."id" = ${jobId} AND ${type} = ANY(e."events"))`;
}

/** Writes the delivery of the job's end as `status` to these endpoints (from jobEndEndpoints). */
export async function recordDeliveries(tx: Prisma.TransactionClient, endpoints: string[], status: string, data: Record<string, unknown>): Promise<void> {
  const type = EVENT_OF_STATUS[status];
  if (type) await insertDeliveries(tx, endpoints.map((id) => ({ id })), type, data);
}

/** Writes a delivery of a sweep's completion to every endpoint of its project that subscribed to it. */
export async function recordSweepCompletedDeliveries(tx: Prisma.TransactionClient, projectId: string, data: Record<string, unknown>): Promise<void> {
  const type: WebhookEvent = "sweep.completed";
  const endpoints = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "WebhookEndpoint" WHERE "projectId" = ${projectId} AND ${type} = ANY("events")`;
  await insertDeliveries(tx, endpoints, type, data);
}

async function insertDeliveries(tx: Prisma.TransactionClient, endpoints: { id: string }[], type: WebhookEvent, data: Record<string, unknown>): Promise<void> {
  if (endpoints.length === 0) return;
  const payload = webhookPayload(type, data);
  await tx.webhookDelivery.createMany({ data: endpoints.map((endpoint) => ({ id: newId("msg"), endpointId: endpoint.id, eventType: type, payload })) });
}
