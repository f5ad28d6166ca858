// A project's webhook endpoints (POST /v1/webhooks and friends) and their delivery logs.

import type { Database } from "../db/client.js";
import { newId } from "../db/ids.js";
import { DescentError, notFound } from "../errors.js";
import type { CreateWebhookView, WebhookDeliveryView, WebhookView } from "../spec/webhook.js";
import { checkWebhookUrl, UnsafeUrl } from "./url-safety.js";
import { newWebhookSecret } from "./webhook-signature.js";

/** Endpoints one project may register. */
const MAX_ENDPOINTS = 20;
/** Deliveries a log page shows, newest first. */
const LOG_SIZE = 100;

type EndpointRow = { id: string; url: string; events: string[]; description: string; createdAt: Date };

function endpointView(row: EndpointRow): WebhookView {
  return { id: row.id, url: row.url, events: row.events as WebhookView["events"], description: row.description, createdAt: row.createdAt.toISOString() };
}

export function createWebhookService({ db, allowPrivate }: { db: Database; allowPrivate: boolean }) {
  async function find(projectId: string, id: string) {
    const row = await db.webhookEndpoint.findFirst({ where: { id, projectId } });
    if (!row) throw notFound("webhook", id);
    return row;
  }

  return {
    /** Registers an endpoint; the answer carries its signing secret, shown this once. */
    async create(projectId: string, body: CreateWebhookView): Promise<WebhookView & { secret: string }> {
      try {
        await checkWebhookUrl(body.url, { allowPrivate });
      } catch (error) {
        if (error instanceof UnsafeUrl) throw new DescentError("VALIDATION_FAILED", `url ${error.message}`, [{ path: "/url", message: error.message }]);
        throw error;
      }
      if ((await db.webhookEndpoint.count({ where: { projectId } })) >= MAX_ENDPOINTS) {
        throw new DescentError("CONFLICT", `a project may register at most ${MAX_ENDPOINTS} webhooks; delete one first`);
      }
      const secret = newWebhookSecret();
      const row = await db.webhookEndpoint.create({ data: { id: newId("whk"), projectId, url: body.url, events: body.events, description: body.description ?? "", secret } });
      return { ...endpointView(row), secret };
    },

    async list(projectId: string): Promise<{ data: WebhookView[] }> {
      const rows = await db.webhookEndpoint.findMany({ where: { projectId }, orderBy: { createdAt: "asc" } });
      return { data: rows.map(endpointView) };
    },

    get: async (projectId: string, id: string) => endpointView(await find(projectId, id)),

    /** Deletes the endpoint and its log; deliveries still queued find it gone and stop. */
    async remove(projectId: string, id: string): Promise<void> {
      const { count } = await db.webhookEndpoint.deleteMany({ where: { id, projectId } });
      if (count === 0) throw notFound("webhook", id);
    },

    /** The endpoint's latest deliveries, newest first: status, attempts, last status code and error. */
    async deliveries(projectId: string, id: string): Promise<{ data: WebhookDeliveryView[] }> {
      await find(projectId, id);
      const rows = await db.webhookDelivery.findMany({ where: { endpointId: id }, orderBy: { createdAt: "desc" }, take: LOG_SIZE });
      return {
        data: rows.map((row) => ({
          id: row.id,
          eventType: row.eventType as WebhookDeliveryView["eventType"],
          status: row.status as WebhookDeliveryView["status"],
          attempts: row.attempts,
          lastStatusCode: row.lastStatusCode,
          lastError: row.lastError,
          payload: JSON.parse(row.payload) as unknown,
          createdAt: row.createdAt.toISOString(),
          deliveredAt: row.deliveredAt?.toISOString() ?? null,
        })),
      };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
