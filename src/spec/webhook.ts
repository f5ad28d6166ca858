import { Type, type Static } from "typebox";
import { Description } from "./common.js";

// Webhooks: endpoints a project registers, and the log of their deliveries.

export const WebhookEventName = Type.Union([Type.Literal("job.succeeded"), Type.Literal("job.failed"), Type.Literal("job.cancelled"), Type.Literal("sweep.completed")], { description: "A job's end, or a sweep's completion (every trial ended; data has the best trial)." });

export const CreateWebhook = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000, description: "http(s); its host must resolve to public addresses only (unless the operator allows private ones)." }),
    events: Type.Array(WebhookEventName, { minItems: 1, uniqueItems: true }),
    description: Type.Optional(Description),
  },
  { additionalProperties: false, title: "CreateWebhook", examples: [{ url: "https://example.com/hooks/descent", events: ["job.succeeded", "job.failed"] }] },
);

const endpointFields = {
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(WebhookEventName),
  description: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
};
const endpointExample = { id: "whk_01hx...", url: "https://example.com/hooks/descent", events: ["job.succeeded", "job.failed"], description: "", createdAt: "2026-12-03T07:00:00.000Z" };

export const Webhook = Type.Object(endpointFields, { title: "Webhook", examples: [endpointExample] });
export const CreatedWebhook = Type.Object(
  { ...endpointFields, secret: Type.String({ description: "whsec_...: verify each delivery's webhook-signature with it (Standard Webhooks). Shown only in this answer." }) },
  { title: "CreatedWebhook", examples: [{ ...endpointExample, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }] },
);
export const WebhookList = Type.Object({ data: Type.Array(Webhook) }, { title: "WebhookList", examples: [{ data: [endpointExample] }] });

export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ description: "The webhook-id header: the same on every attempt." }),
    eventType: WebhookEventName,
    status: Type.Union([Type.Literal("pending"), Type.Literal("succeeded"), Type.Literal("failed")]),
    attempts: Type.Integer(),
    lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    payload: Type.Unknown({ description: "The body sent: {type, timestamp, data}." }),
    createdAt: Type.String({ format: "date-time" }),
    deliveredAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  },
  { title: "WebhookDelivery" },
);
const deliveryExample = { id: "msg_01hx...", eventType: "job.succeeded", status: "succeeded", attempts: 1, lastStatusCode: 204, lastError: null, payload: { type: "job.succeeded", timestamp: "2026-12-03T07:00:01.000Z", data: { jobId: "job_01hx...", status: "succeeded", resultModelId: "mdl_01hx..." } }, createdAt: "2026-12-03T07:00:01.000Z", deliveredAt: "2026-12-03T07:00:01.200Z" };
export const WebhookDeliveryList = Type.Object({ data: Type.Array(WebhookDelivery) }, { title: "WebhookDeliveryList", examples: [{ data: [deliveryExample] }] });

export type CreateWebhookView = Static<typeof CreateWebhook>;
export type WebhookView = Static<typeof Webhook>;
export type WebhookDeliveryView = Static<typeof WebhookDelivery>;
