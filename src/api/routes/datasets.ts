import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { DatasetService } from "../../services/datasets.js";
import { IdParams, Page, PageQuery } from "../../spec/common.js";
import { Dataset, DatasetInput } from "../../spec/dataset.js";
import { json, problems } from "../schemas.js";
import { IdempotencyHeaders, sendIdempotent } from "../idempotent-route.js";
import type { Idempotency } from "../../services/idempotency.js";

export const datasetRoutes: FastifyPluginAsyncTypebox<{ datasets: DatasetService; idempotency: Idempotency; bodyLimit: number }> = async (
  app,
  { datasets, idempotency, bodyLimit },
) => {
  app.post(
    "/v1/datasets",
    {
      bodyLimit,
      schema: {
        tags: ["datasets"],
        summary: "Upload a dataset",
        description:
          "JSON body with one row of features per sample and one label per row. String labels become classes (sorted by name unless classNames gives the order); " +
          "non-negative integer labels are class indices; other numbers are regression targets. Stored as float32 with a sha256 checksum.",
        body: DatasetInput,
        headers: IdempotencyHeaders,
        response: { 201: json(Dataset, "The stored dataset."), ...problems(400, 401, 409, 413, 415) },
      },
    },
    async (request, reply) =>
      sendIdempotent(
        idempotency,
        request,
        reply,
        async () => ({ statusCode: 201, body: await datasets.create(request.projectId, request.body) }),
        (id) => `/v1/datasets/${id}`,
      ),
  );

  app.get(
    "/v1/datasets",
    {
      schema: {
        tags: ["datasets"],
        summary: "List datasets",
        description: "Newest first, with cursor pagination.",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: json(Page(Dataset, "DatasetPage"), "A page of datasets."), ...problems(400) },
      },
    },
    async (request) => datasets.list(request.projectId, { limit: request.query.limit ?? 20, cursor: request.query.cursor }),
  );

  app.get(
    "/v1/datasets/:id",
    {
      schema: {
        tags: ["datasets"],
        summary: "Read a dataset",
        description: "The dataset's shapes, classes and checksum (not its values).",
        params: IdParams,
        response: { 200: json(Dataset, "The dataset."), ...problems(404) },
      },
    },
    async (request) => datasets.get(request.projectId, request.params.id),
  );
};
