import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { ProjectService } from "../../services/projects.js";
import { IdParams } from "../../spec/common.js";
import { json, problems } from "../schemas.js";

const apiKeyExample = { id: "key_01jf3k2m9q8r7s6t5v4w", name: "ci", prefix: "dsk_3fA9", createdAt: "2025-01-01T12:00:00.000Z", revokedAt: null };
const ApiKey = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    prefix: Type.String({ description: "The key's first characters, to recognise it." }),
    createdAt: Type.String({ format: "date-time" }),
    revokedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  },
  { title: "ApiKey", examples: [apiKeyExample] },
);
const secret = Type.String({ description: "The key itself. It is shown only in this response; descent keeps only its hash." });
const NewApiKey = Type.Object({ ...ApiKey.properties, apiKey: secret }, { examples: [{ ...apiKeyExample, apiKey: "dsk_3fA9..." }] });
const KeyName = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false, examples: [{ name: "ci" }] });

export const projectRoutes: FastifyPluginAsyncTypebox<{ projects: ProjectService }> = async (app, { projects }) => {
  app.post(
    "/v1/projects",
    {
      config: { access: "admin" },
      schema: {
        operationId: "createProject",
        tags: ["projects"],
        summary: "Create a project (admin)",
        description: "Needs the admin key (DESCENT_ADMIN_KEY) as Bearer token. Returns the project and its first API key, shown once.",
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false, examples: [{ name: "fraud-models" }] }),
        response: {
          201: json(
            Type.Object(
              { project: Type.Object({ id: Type.String(), name: Type.String() }), apiKey: secret },
              { examples: [{ project: { id: "prj_01jf3k2m9q8r7s6t5v4w", name: "fraud-models" }, apiKey: "dsk_3fA9..." }] },
            ),
            "The project and its first key.",
          ),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await projects.createProject(request.body.name)),
  );

  app.post(
    "/v1/projects/:id/api-keys",
    {
      config: { access: "admin" },
      schema: {
        operationId: "createProjectApiKey",
        tags: ["projects"],
        summary: "Create an API key for a project (admin)",
        description:
          "Needs the admin key. For a project that has lost or revoked its keys: the new key is shown once, in this response.",
        params: IdParams,
        body: KeyName,
        response: { 201: json(NewApiKey, "The key's record and the key."), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await projects.assertProjectExists(request.params.id);
      const { key, apiKey } = await projects.issueKey(request.params.id, request.body.name);
      return reply.code(201).send({ ...key, apiKey });
    },
  );

  app.post(
    "/v1/api-keys",
    {
      schema: {
        operationId: "createApiKey",
        tags: ["projects"],
        summary: "Create another API key for the calling project",
        description: "The new key is shown once, in this response.",
        body: KeyName,
        response: { 201: json(NewApiKey, "The key's record and the key."), ...problems(400, 401) },
      },
    },
    async (request, reply) => {
      const { key, apiKey } = await projects.issueKey(request.projectId, request.body.name);
      return reply.code(201).send({ ...key, apiKey });
    },
  );

  app.get(
    "/v1/api-keys",
    {
      schema: {
        operationId: "listApiKeys",
        tags: ["projects"],
        summary: "List the calling project's API keys",
        description: "Without the keys themselves.",
        response: { 200: json(Type.Object({ data: Type.Array(ApiKey) }, { examples: [{ data: [apiKeyExample] }] }), "The keys."), ...problems(401) },
      },
    },
    async (request) => ({ data: await projects.listKeys(request.projectId) }),
  );

  app.delete(
    "/v1/api-keys/:id",
    {
      schema: {
        operationId: "revokeApiKey",
        tags: ["projects"],
        summary: "Revoke an API key",
        description:
          "The key stops working at once (401). Revoking the project's last active key is a 409 unless `?force=true`: " +
          "without a key, only the admin can give the project a new one (POST /v1/projects/{id}/api-keys).",
        params: IdParams,
        querystring: Type.Object({ force: Type.Optional(Type.Boolean({ default: false, description: "Revoke even the last active key." })) }, { additionalProperties: false }),
        response: { 204: { description: "Revoked.", type: "null" }, ...problems(401, 404, 409) },
      },
    },
    async (request, reply) => {
      await projects.revokeKey(request.projectId, request.params.id, { force: request.query.force ?? false });
      return reply.code(204).send(null);
    },
  );
};
