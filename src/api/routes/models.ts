import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ModelService } from "../../services/models.js";
import { Type } from "typebox";
import { IdParams, LabelsPatch, Page, PageQuery } from "../../spec/common.js";
import { sendBytes } from "../binary-reply.js";
import { acceptCsvRows } from "../csv-rows-parser.js";
import { FittedPipeline as FittedPipelineSchema, EvaluateInput, EvaluationResult, Prediction, PredictInput, TrainedModel, type EvaluateInputView, type PredictInputView } from "../../spec/model.js";
import { json, problems } from "../schemas.js";

/** The body of every predict route (a model's, a registry version's or alias's): JSON inputs or rows, or CSV rows. */
export const predictBody = {
  content: {
    "application/json": { schema: PredictInput },
    "text/csv": { schema: { description: "Raw rows (models trained on a table): a header row, then one row per sample.", examples: ["Island,Beak Length (mm),Sex\nBiscoe,45.2,FEMALE\n"] } },
  },
};

export const predictDescription =
  "`inputs`: each a flat array of the model's input size, or nested arrays shaped as its inputShape. " +
  "`rows` (models trained on a table): raw rows `{column: value}` through the model's feature pipeline, as fitted on its training rows: " +
  "missing values filled as in training, unseen categories to (other), columns it does not use ignored; a value of the wrong kind is a 400 naming its row and column. " +
  "Returns the model's outputs; classifiers add the predicted class index and name and each class's probability by name; " +
  "models trained on a table add regression values in the label's units.";

export const evaluateDescription =
  "On a dataset of the project (`datasetId`: a matrix with the model's input size and classes, or a table for a model trained on one), " +
  "or on raw rows with their label (`rows`). Classification: accuracy, macro F1, per-class precision and recall, the confusion matrix, " +
  "log loss, ROC AUC for two classes. Regression: MAE, RMSE and R², in the label's units. Rows the model cannot use are counted in `dropped`.";

export const modelRoutes: FastifyPluginAsyncTypebox<{ models: ModelService; predictBodyLimit: number }> = async (
  app,
  { models, predictBodyLimit },
) => {
  acceptCsvRows(app, predictBodyLimit);
  app.get(
    "/v1/models",
    {
      schema: {
        operationId: "listModels",
        tags: ["models"],
        summary: "List trained models",
        description: "Newest first, optionally filtered by tag, with cursor pagination.",
        querystring: Type.Object({ ...PageQuery, tag: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), fingerprint: Type.Optional(Type.String({ pattern: "^[0-9a-f]{64}$", description: "Only those with this fingerprint (repeats of one run)." })) }, { additionalProperties: false }),
        response: { 200: json(Page(TrainedModel, "ModelPage"), "A page of models."), ...problems(400) },
      },
    },
    async (request) => models.list(request.projectId, { limit: request.query.limit ?? 20, cursor: request.query.cursor, tag: request.query.tag, fingerprint: request.query.fingerprint }),
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

  app.patch(
    "/v1/models/:id",
    {
      schema: {
        operationId: "updateModel",
        tags: ["models"],
        summary: "Rename, describe or tag a model",
        description: "The fields given replace the stored ones (`name: null` clears the name); weights and metrics are not touched.",
        params: IdParams,
        body: LabelsPatch,
        response: { 200: json(TrainedModel, "The model."), ...problems(400, 404) },
      },
    },
    async (request) => models.relabel(request.projectId, request.params.id, request.body),
  );

  app.delete(
    "/v1/models/:id",
    {
      schema: {
        operationId: "deleteModel",
        tags: ["models"],
        summary: "Delete a trained model",
        description: "Its registry versions go with it. 409 while a registry alias points to one of them: move or delete the alias first.",
        params: IdParams,
        response: { 204: { description: "Deleted.", type: "null" }, ...problems(401, 404, 409) },
      },
    },
    async (request, reply) => {
      await models.remove(request.projectId, request.params.id);
      return reply.code(204).send(null);
    },
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
      return sendBytes(reply.header("content-disposition", `attachment; filename="${request.params.id}.weights.bin"`), weights);
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
          ...problems(401, 404, 422),
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
          ...problems(401, 404, 422),
        },
      },
    },
    async (request, reply) => {
      return sendBytes(reply, (await models.tfjs(request.projectId, request.params.id)).weightsBin);
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
        description: predictDescription,
        params: IdParams,
        body: predictBody,
        response: { 200: json(Prediction, "One output per input."), ...problems(400, 404, 413) },
      },
    },
    async (request) => models.predict(request.projectId, request.params.id, request.body as PredictInputView),
  );

  app.post(
    "/v1/models/:id/evaluate",
    {
      bodyLimit: predictBodyLimit,
      schema: {
        operationId: "evaluateModel",
        tags: ["models"],
        summary: "Evaluate a trained model on labelled data",
        description: evaluateDescription,
        params: IdParams,
        body: EvaluateInput,
        response: { 200: json(EvaluationResult, "The metrics."), ...problems(400, 404, 413, 422) },
      },
    },
    async (request) => models.evaluate(request.projectId, request.params.id, request.body as EvaluateInputView),
  );

  app.get(
    "/v1/models/:id/tfjs/preprocessing.json",
    {
      schema: {
        operationId: "getTfjsPreprocessing",
        tags: ["models"],
        summary: "Export to TensorFlow.js: the feature pipeline",
        description:
          "Models trained on a table: the fitted feature pipeline (as GET /v1/models/{id} shows it) that turns raw rows into model.json's inputs, " +
          "for clients that predict outside descent; 404 for models trained on numbers.",
        params: IdParams,
        response: { 200: json(FittedPipelineSchema, "The pipeline."), ...problems(401, 404) },
      },
    },
    async (request) => models.pipeline(request.projectId, request.params.id),
  );
};
