import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { markRoutesPublic } from "./auth.js";
import { extractNamedSchemas } from "../openapi-components.js";

/** The OpenAPI 3.1 document at /openapi.json, built from the routes' schemas, and Swagger UI at /docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    // Titled schemas become named components with $ref (see openapi-components.ts).
    transformObject: (documentObject) => extractNamedSchemas((documentObject as { openapiObject: Record<string, unknown> }).openapiObject) as never,
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "descent",
        version: "1",
        description:
          "Training as a service: upload a dataset, submit a model spec, follow the job, fetch or query the trained model. " +
          "Errors are application/problem+json (RFC 9457); validation errors list `errors: [{path, message}]` with JSON Pointer paths.",
      },
      components: {
        securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A project's API key (dsk_...), or DESCENT_ADMIN_KEY on admin routes." } },
      },
      security: [{ apiKey: [] }],
      tags: [
        { name: "datasets", description: "Training data, stored as float32." },
        { name: "jobs", description: "Training jobs and their per-epoch metrics." },
        { name: "models", description: "Trained models: weights and predictions." },
        { name: "registry", description: "Names for the models a project keeps: numbered versions, aliases that move between them, predict and evaluate through them." },
        { name: "sweeps", description: "Hyperparameter searches (grid, random, TPE) whose trials are jobs, with early termination by successive halving." },
        { name: "webhooks", description: "Signed notifications of jobs' ends (Standard Webhooks), retried until delivered, with a delivery log." },
        { name: "projects", description: "Tenants and their API keys." },
        { name: "health", description: "Liveness and readiness." },
      ],
    },
  });
  await app.register(async (scope) => {
    markRoutesPublic(scope);
    await scope.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });
  });
  app.get("/openapi.json", { config: { access: "public" }, schema: { hide: true } }, async () => app.swagger());
}
