import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ModelService } from "../../services/models.js";
import { Type } from "typebox";
import { IdParams, Page, PageQuery } from "../../spec/common.js";
import { Prediction, PredictInput, TrainedModel } from "../../spec/model.js";
import { json, problems } from "../schemas.js";

export const modelRoutes: FastifyPluginAsyncTypebox<{ models: ModelService; predictBodyLimit: number }> = async (
  app,
  { models, predictBodyLimit },
) => {
  app.get(
    "/v1/models",
    {
      schema: {
        operationId: "listModels",
        tags: ["models"],
        summary: "List trained models",
        description: "Newest first, with cursor pagination.",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: json(Page(TrainedModel, "ModelPage"), "A page of models."), ...problems(400) },
      },
    },
    async (request) => models.list(request.projectId, { limit: request.query.limit ?? 20, cursor: request.query.cursor }),
  );

  app.get(
    "/v1/models/:id",
    {
      schema: {
        operationId: "getModel",
        tags: ["models"],
        summary: "Read a trained model",
        description: "Its spec, layer summary with output shapes, parameter count, final metrics and the layout of its weights.",
        params: IdParams,
        response: { 200: json(TrainedModel, "The model."), ...problems(404) },
      },
    },
    async (request) => models.get(request.projectId, request.params.id),
  );

  app.get(
    "/v1/models/:id/weights",
    {
      schema: {
        operationId: "getModelWeights",
        tags: ["models"],
        summary: "Download a model's weights",
        description: "Little-endian float32 values, laid out as the model's weightManifest says. The same weights always give the same bytes.",
        params: IdParams,
        response: {
          200: { description: "The weights.", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
          ...problems(404),
        },
      },
    },
    async (request, reply) => {
      const weights = await models.weights(request.projectId, request.params.id);
      return reply
        .type("application/octet-stream")
        .header("content-disposition", `attachment; filename="${request.params.id}.weights.bin"`)
        // A Buffer is sent as is; the string type comes from the binary schema above.
        .send(Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength) as unknown as string);
    },
  );

  app.get(
    "/v1/models/:id/tfjs/model.json",
    {
      schema: {
        operationId: "getTfjsModel",
        tags: ["models"],
        summary: "Export to TensorFlow.js: model.json",
        description:
          "The Keras layers format. `tf.loadLayersModel('<base>/v1/models/{id}/tfjs/model.json', {requestInit: {headers: {authorization: 'Bearer <key>'}}})` " +
          "loads the model as is: its weights manifest points at weights.bin beside it. Predictions match POST /v1/models/{id}/predict within 1e-5.",
        params: IdParams,
        response: {
          200: json(
            {
              type: "object",
              additionalProperties: true,
              description: "modelTopology, format, generatedBy, weightsManifest",
              examples: [
                {
                  format: "layers-model",
                  generatedBy: "descent",
                  modelTopology: { class_name: "Sequential", config: { name: "sequential", layers: [] } },
                  weightsManifest: [{ paths: ["weights.bin"], weights: [{ name: "dense_1/kernel", shape: [4, 16], dtype: "float32" }] }],
                },
              ],
            },
            "The model.json.",
          ),
          ...problems(401, 404),
        },
      },
    },
    async (request) => (await models.tfjs(request.projectId, request.params.id)).modelJson,
  );

  app.get(
    "/v1/models/:id/tfjs/weights.bin",
    {
      schema: {
        operationId: "getTfjsWeights",
        tags: ["models"],
        summary: "Export to TensorFlow.js: weights.bin",
        description: "The weights that model.json's manifest names, little-endian float32.",
        params: IdParams,
        response: {
          200: { description: "The weights.", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
          ...problems(401, 404),
        },
      },
    },
    async (request, reply) => {
      const { weightsBin } = await models.tfjs(request.projectId, request.params.id);
      // A Buffer is sent as is; the string type comes from the binary schema above.
      return reply.type("application/octet-stream").send(Buffer.from(weightsBin.buffer, weightsBin.byteOffset, weightsBin.byteLength) as unknown as string);
    },
  );

  app.post(
    "/v1/models/:id/predict",
    {
      bodyLimit: predictBodyLimit,
      schema: {
        operationId: "predict",
        tags: ["models"],
        summary: "Predict with a trained model",
        description:
          "Each input is a flat array of the model's input size, or nested arrays shaped as its inputShape. " +
          "Returns the model's outputs and, for classifiers, the predicted class index and name.",
        params: IdParams,
        body: PredictInput,
        response: { 200: json(Prediction, "One output per input."), ...problems(400, 404, 413) },
      },
    },
    async (request) => models.predict(request.projectId, request.params.id, request.body.inputs),
  );
};
