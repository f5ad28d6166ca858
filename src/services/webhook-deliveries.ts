// Delivering one webhook: POST the stored body, signed, to the endpoint's URL
// (checked again against private addresses), with a short timeout and no
// redirects followed; record the attempt. The queue (src/queue/webhook-queue.ts)
// retries what this reports as retryable, with exponential backoff.

import type { Database } from "../db/client.js";
import { checkWebhookUrl, UnsafeUrl } from "./url-safety.js";
import { webhookHeaders } from "./webhook-signature.js";

export interface DeliverySettings {
  allowPrivate: boolean;
  timeoutMs: number;
}

/** What became of one attempt: `retry` asks the queue for another (unless this was the last). */
export type AttemptOutcome = { result: "delivered" } | { result: "retry"; error: string } | { result: "gone" } | { result: "refused"; error: string };

/** How much of an answer's body goes into the log. */
const ERROR_BODY_CHARS = 300;

export function createWebhookDeliveries({ db, settings, fetchImpl = globalThis.fetch }: { db: Database; settings: DeliverySettings; fetchImpl?: typeof fetch }) {
  async function record(id: string, fields: { status?: string; lastStatusCode?: number | null; lastError?: string | null; deliveredAt?: Date }) {
    await db.webhookDelivery.update({ where: { id }, data: { ...fields, attempts: { increment: 1 } } });
  }

  return {
    /** Makes one attempt at delivery `id`; `last`: no retry follows, so a failure is final. */
    async attempt(id: string, { last }: { last: boolean }): Promise<AttemptOutcome> {
      const delivery = await db.webhookDelivery.findUnique({ where: { id }, include: { endpoint: true } });
      if (!delivery || delivery.status !== "pending") return { result: "gone" };
      const failed = last ? "failed" : "pending";
      let url: URL;
      try {
        url = await checkWebhookUrl(delivery.endpoint.url, settings);
      } catch (error) {
        const message = error instanceof UnsafeUrl ? `URL refused: ${error.message}` : String(error);
        await record(id, { status: "failed", lastStatusCode: null, lastError: message });
        return { result: "refused", error: message };
      }
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: "POST",
          headers: { "content-type": "application/json", "user-agent": "descent-webhooks", ...webhookHeaders(delivery.endpoint.secret, delivery.id, delivery.payload) },
          body: delivery.payload,
          redirect: "manual",
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
      } catch (error) {
        const message = (error as Error).name === "TimeoutError" ? `no answer within ${settings.timeoutMs} ms` : `could not connect: ${(error as Error).message}`;
        await record(id, { status: failed, lastStatusCode: null, lastError: message });
        return { result: "retry", error: message };
      }
      const text = await response.text().catch(() => "");
      if (response.status >= 200 && response.status < 300) {
        await record(id, { status: "succeeded", lastStatusCode: response.status, lastError: null, deliveredAt: new Date() });
        return { result: "delivered" };
      }
      const message = response.status >= 300 && response.status < 400 ? `answered ${response.status} (redirects are not followed)` : `answered ${response.status}: ${text.slice(0, ERROR_BODY_CHARS)}`;
      await record(id, { status: failed, lastStatusCode: response.status, lastError: message });
      return { result: "retry", error: message };
    },

    /** Marks deliveries not yet on the queue as enqueued and returns them (at most `limit`; concurrent pumps take distinct ones). */
    async claimUnqueued(limit: number): Promise<string[]> {
      const rows = await db.$queryRaw<{ id: string }[]>`
        UPDATE "WebhookDelivery" SET "enqueuedAt" = now()
        WHERE "id" IN (SELECT "id" FROM "WebhookDelivery" WHERE "enqueuedAt" IS NULL ORDER BY "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING "id"`;
      return rows.map((row) => row.id);
    },

    /** Puts claimed deliveries back, for the next pump (the queue could not take them). */
    async unclaim(ids: string[]): Promise<void> {
      await db.webhookDelivery.updateMany({ where: { id: { in: ids } }, data: { enqueuedAt: null } });
    },
  };
}

export type WebhookDeliveries = ReturnType<typeof createWebhookDeliveries>;
