import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { WebhookService } from "../../services/webhooks.js";
import { IdParams } from "../../spec/common.js";
import { CreatedWebhook, CreateWebhook, Webhook, WebhookDeliveryList, WebhookList } from "../../spec/webhook.js";
import { json, problems } from "../schemas.js";

const tags = ["webhooks"];

export const webhookRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhookService }> = async (app, { webhooks }) => {
  app.post(
    "/v1/webhooks",
    {
      schema: {
        operationId: "createWebhook",
        tags,
        summary: "Register a webhook endpoint",
        description:
          "descent POSTs the events asked for (`job.succeeded`, `job.failed`, `job.cancelled`) to the URL, signed as Standard Webhooks says " +
          "(`webhook-id`, `webhook-timestamp`, `webhook-signature`: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret). " +
          "Any 2xx is a delivery; other answers, timeouts and refused connections are retried with exponential backoff, with the same webhook-id: at least once. " +
          "Redirects are not followed. The secret is in this answer only.",
        body: CreateWebhook,
        response: { 201: json(CreatedWebhook, "The endpoint and its secret."), ...problems(400, 401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await webhooks.create(request.projectId, request.body)),
  );

  app.get(
    "/v1/webhooks",
    { schema: { operationId: "listWebhooks", tags, summary: "List webhook endpoints", description: "Oldest first, without their secrets.", response: { 200: json(WebhookList, "The endpoints."), ...problems(401) } } },
    async (request) => webhooks.list(request.projectId),
  );

  app.get(
    "/v1/webhooks/:id",
    { schema: { operationId: "getWebhook", tags, summary: "Read a webhook endpoint", description: "Without its secret.", params: IdParams, response: { 200: json(Webhook, "The endpoint."), ...problems(401, 404) } } },
    async (request) => webhooks.get(request.projectId, request.params.id),
  );

  app.delete(
    "/v1/webhooks/:id",
    {
      schema: { operationId: "deleteWebhook", tags, summary: "Delete a webhook endpoint", description: "With its delivery log; deliveries not yet made are dropped.", params: IdParams, response: { 204: { description: "Deleted.", type: "null" }, ...problems(401, 404) } },
    },
    async (request, reply) => {
      await webhooks.remove(request.projectId, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/v1/webhooks/:id/deliveries",
    {
      schema: {
        operationId: "listWebhookDeliveries",
        tags,
        summary: "An endpoint's delivery log",
        description: "The latest 100 deliveries, newest first: status (pending, succeeded, failed once attempts ran out), attempts, the last status code and error, and the body sent.",
        params: IdParams,
        response: { 200: json(WebhookDeliveryList, "The deliveries."), ...problems(401, 404) },
      },
    },
    async (request) => webhooks.deliveries(request.projectId, request.params.id),
  );
};
