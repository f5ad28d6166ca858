import { Transform } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { DescentError } from "../../errors.js";
import type { DatasetService } from "../../services/datasets.js";
import type { Idempotency } from "../../services/idempotency.js";
import { IdParams, Page, PageQuery } from "../../spec/common.js";
import { CsvQuery, Dataset, DatasetUpload, type DatasetInput, type DatasetRowsInput } from "../../spec/dataset.js";
import { IdempotencyHeaders, sendIdempotent } from "../idempotent-route.js";
import { json, problems } from "../schemas.js";

const uploadDescription =
  "JSON: `{features, labels}` (one row of numbers per sample, one label per row) or `{rows, label}` (one object per sample). " +
  "String labels become classes (sorted by name unless classNames gives the order); non-negative integer labels are class indices; " +
  "other numbers are regression targets. CSV (`Content-Type: text/csv`, a header row, `?label=<column>&name=`): streamed, " +
  "numeric feature columns, a numeric or categorical label column; errors name `row N, column NAME`. " +
  "Stored as float32 with a sha256 checksum and per-feature statistics; nothing is stored when validation fails.";

export const datasetRoutes: FastifyPluginAsyncTypebox<{ datasets: DatasetService; idempotency: Idempotency; bodyLimit: number }> = async (
  app,
  { datasets, idempotency, bodyLimit },
) => {
  // CSV bodies reach the route as a stream, parsed as they arrive; this scope only.
  app.addContentTypeParser("text/csv", (request, payload, done) => {
    const declared = Number(request.headers["content-length"] ?? 0);
    if (declared > bodyLimit) return done(tooLarge(bodyLimit), undefined);
    done(null, payload.pipe(byteLimit(bodyLimit)));
  });

  app.post(
    "/v1/datasets",
    {
      bodyLimit,
      schema: {
        operationId: "createDataset",
        tags: ["datasets"],
        summary: "Upload a dataset (JSON or CSV)",
        description: uploadDescription,
        querystring: CsvQuery,
        headers: IdempotencyHeaders,
        body: {
          content: {
            "application/json": { schema: DatasetUpload },
            "text/csv": { schema: { description: "A header row, then one row per sample." } },
          },
        },
        response: { 201: json(Dataset, "The stored dataset."), ...problems(400, 401, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const location = (id: string) => `/v1/datasets/${id}`;
      if (!request.headers["content-type"]?.startsWith("text/csv")) {
        const body = request.body as DatasetInput | DatasetRowsInput;
        return sendIdempotent(idempotency, request, reply, async () => ({ statusCode: 201, body: await datasets.create(request.projectId, body) }), location);
      }
      const { label, name, task } = request.query;
      if (!label) {
        throw new DescentError("VALIDATION_FAILED", "a CSV upload needs ?label=<column>", [{ path: "querystring/label", message: "is required for text/csv" }]);
      }
      // A stream is read once: parse it first, and let its checksum stand for the body.
      const encoded = await datasets.parseCsv(request.body as NodeJS.ReadableStream, { label, name, task });
      const identity = { csv: encoded.checksum, label, name, task };
      return sendIdempotent(idempotency, request, reply, async () => ({ statusCode: 201, body: await datasets.store(request.projectId, encoded) }), location, identity);
    },
  );

  app.get(
    "/v1/datasets",
    {
      schema: {
        operationId: "listDatasets",
        tags: ["datasets"],
        summary: "List datasets",
        description: "Newest first, with cursor pagination; `?checksum=` finds uploads of identical data.",
        querystring: Type.Object({ ...PageQuery, checksum: Type.Optional(Type.String({ pattern: "^[0-9a-f]{64}$" })) }, { additionalProperties: false }),
        response: { 200: json(Page(Dataset, "DatasetPage"), "A page of datasets."), ...problems(400, 401) },
      },
    },
    async (request) => datasets.list(request.projectId, { limit: request.query.limit ?? 20, cursor: request.query.cursor, checksum: request.query.checksum }),
  );

  app.get(
    "/v1/datasets/:id",
    {
      schema: {
        operationId: "getDataset",
        tags: ["datasets"],
        summary: "Read a dataset",
        description: "Its shapes, classes and their counts, per-feature statistics and checksum (not its values).",
        params: IdParams,
        response: { 200: json(Dataset, "The dataset."), ...problems(401, 404) },
      },
    },
    async (request) => datasets.get(request.projectId, request.params.id),
  );

  app.delete(
    "/v1/datasets/:id",
    {
      schema: {
        operationId: "deleteDataset",
        tags: ["datasets"],
        summary: "Delete a dataset",
        description: "409 while a queued or running job uses it. Finished jobs and models keep naming it.",
        params: IdParams,
        response: { 204: { description: "Deleted.", type: "null" }, ...problems(401, 404, 409) },
      },
    },
    async (request, reply) => {
      await datasets.delete(request.projectId, request.params.id);
      return reply.code(204).send(null);
    },
  );
};

function tooLarge(limit: number): Error {
  return Object.assign(new Error(`the body is larger than this route's limit of ${limit} bytes`), { statusCode: 413 });
}

/** Passes a stream through, failing it with a 413 once it exceeds `limit` bytes. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > limit ? tooLarge(limit) : null, seen > limit ? undefined : chunk);
    },
  });
}
