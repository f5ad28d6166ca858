import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { MAX_SAMPLES_PER_REQUEST, type DatasetSampleService } from "../../services/dataset-samples.js";
import { IdParams } from "../../spec/common.js";
import { json, problems } from "../schemas.js";

export const DatasetSamplesQuery = Type.Object(
  {
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: "Index of the first sample (from 0)." })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SAMPLES_PER_REQUEST, default: 16, description: `At most ${MAX_SAMPLES_PER_REQUEST}.` })),
  },
  { additionalProperties: false },
);

export const DatasetSamples = Type.Object(
  {
    features: Type.Array(Type.Array(Type.Number()), { description: "One flat row of numFeatures values per sample (row-major for image datasets)." }),
    labels: Type.Array(Type.Number(), { description: "One label per sample: a class index into classNames, or the regression target." }),
    rows: Type.Optional(
      Type.Array(Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()])), {
        description: "Tables: the rows as uploaded, {column: value} (null: missing); features and labels are then empty.",
      }),
    ),
  },
  { title: "DatasetSamples" },
);

export const datasetSampleRoutes: FastifyPluginAsyncTypebox<{ samples: DatasetSampleService }> = async (app, { samples }) => {
  app.get(
    "/v1/datasets/:id/samples",
    {
      schema: {
        operationId: "listDatasetSamples",
        tags: ["datasets"],
        summary: "Read a few samples of a dataset",
        description:
          "The stored values (float32) of samples offset .. offset+limit-1, in upload order; fewer at the end, none past it. " +
          "For looking at the data (the dashboard draws image datasets from it), not for bulk export.",
        params: IdParams,
        querystring: DatasetSamplesQuery,
        response: { 200: json(DatasetSamples, "The samples' features and labels."), ...problems(400, 401, 404) },
      },
    },
    async (request) => samples.samples(request.projectId, request.params.id, request.query.offset ?? 0, request.query.limit ?? 16),
  );
};
