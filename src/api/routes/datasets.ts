import { Transform } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { DescentError } from "../../errors.js";
import type { DatasetService } from "../../services/datasets.js";
import type { Idempotency } from "../../services/idempotency.js";
import { IdParams, Page, PageQuery } from "../../spec/common.js";
import { Dataset, DatasetUpload, UploadQuery, type DatasetInput, type DatasetRowsInput } from "../../spec/dataset.js";
import { IdempotencyHeaders, sendIdempotent } from "../idempotent-route.js";
import { json, problems } from "../schemas.js";

const uploadDescription = `Tables as people have them, or matrices of numbers.

**Tables** (a \`kind: "table"\` dataset): \`text/csv\` (a header row), \`application/x-ndjson\` (one JSON object per line),
a bare JSON array of records, or JSON \`{rows, label}\`. Cells may be numbers, strings, booleans, null or empty; records
may leave columns out (missing). Each column's type is inferred (number, category, binary, date, datetime, text, or
ignore for ids) and reported in \`columns\` with its missing count and statistics; choose types with \`columns\`
(JSON) or \`?types=zip:category\`, leave columns out with \`ignore\` or \`?ignore=id,date\`. Name the label with
\`?label=\` (CSV, NDJSON, bare arrays) or \`label\`. Rows without a label are left out and counted in
\`rowsWithoutLabel\` (the report's first warning says which missing markers made them so). Empty cells and the
missing markers (NA, null, None, ...: see \`missingMarkers\`) are missing values; \`?missing=NA,null\` or \`missing\`
(JSON) gives your own list, which predictions on the models trained on the table read rows with too. A CSV's delimiter
(, ; tab |) is guessed from its header row (\`?delimiter=\` says it); a ;-separated CSV reads decimal commas (12,5), as
\`?decimal=,\` does for any table, and predictions on its models too. N/N/YYYY dates are dates with \`?dateOrder=mdy\` or \`dmy\`
(month or day first); without it they stay text. Each job fits its feature pipeline (scaling, missing values, one-hot categories, date cycles,
hashed text) on its own training rows; \`numFeatures\` and \`classNames\` here are those of a pipeline fitted on every row.

**Matrices** (\`kind: "matrix"\`): JSON \`{features, labels}\` (one row of numbers per sample; images with
\`inputShape\`), or CSV with \`?kind=matrix\` (numbers only). String labels become classes (sorted by name unless
classNames gives the order); non-negative integer labels are class indices; other numbers are regression targets.

Errors name \`row N, column NAME\` (CSV), \`line N\` (NDJSON) or a JSON Pointer. Nothing is stored when validation fails.`;

export const datasetRoutes: FastifyPluginAsyncTypebox<{ datasets: DatasetService; idempotency: Idempotency; bodyLimit: number }> = async (
  app,
  { datasets, idempotency, bodyLimit },
) => {
  // CSV bodies reach the route as a stream, parsed as they arrive; this scope only.
  const streamed = (request: { headers: Record<string, unknown> }, payload: NodeJS.ReadableStream, done: (error: Error | null, body?: unknown) => void) => {
    const declared = Number(request.headers["content-length"] ?? 0);
    if (declared > bodyLimit) return done(tooLarge(bodyLimit), undefined);
    done(null, payload.pipe(byteLimit(bodyLimit)));
  };
  app.addContentTypeParser("text/csv", streamed);
  app.addContentTypeParser(["application/x-ndjson", "application/jsonl"], streamed);

  app.post(
    "/v1/datasets",
    {
      bodyLimit,
      schema: {
        operationId: "createDataset",
        tags: ["datasets"],
        summary: "Upload a dataset (JSON or CSV)",
        description: uploadDescription,
        querystring: UploadQuery,
        headers: IdempotencyHeaders,
        body: {
          content: {
            "application/json": { schema: DatasetUpload },
            "text/csv": { schema: { description: "A header row, then one row per sample.", examples: ["species,island,bill_length_mm\nAdelie,Torgersen,39.1\nGentoo,Biscoe,\n"] } },
            "application/x-ndjson": { schema: { description: "One JSON object per line.", examples: ['{"species":"Adelie","island":"Torgersen","bill_length_mm":39.1}\n'] } },
          },
        },
        response: { 201: json(Dataset, "The stored dataset."), ...problems(400, 401, 409, 413, 415, 422) },
        // The body parsers above decide by content type; JSON bodies are validated against DatasetUpload.
      },
    },
    async (request, reply) => {
      const location = (id: string) => `/v1/datasets/${id}`;
      const type = request.headers["content-type"] ?? "";
      const format = type.startsWith("text/csv") ? "csv" : type.startsWith("application/x-ndjson") || type.startsWith("application/jsonl") ? "ndjson" : null;
      if (format === null) {
        const body = request.body as DatasetInput | DatasetRowsInput | Record<string, unknown>[];
        const answer = async () => ({ statusCode: 201, body: await datasets.create(request.projectId, body, request.query) });
        return sendIdempotent(idempotency, request, reply, answer, location, { body, query: request.query });
      }
      // A stream is read once: parse it first, and let its checksum stand for the body.
      const parsed = await datasets.parseStream(request.body as NodeJS.ReadableStream, format, request.query);
      const identity = { [format]: parsed.checksum, ...request.query };
      return sendIdempotent(idempotency, request, reply, async () => ({ statusCode: 201, body: await parsed.store(request.projectId) }), location, identity);
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
