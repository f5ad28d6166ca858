import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { ModelService } from "../../services/models.js";
import type { RegistryService } from "../../services/registry.js";
import { EvaluateInput, EvaluationResult, Prediction, type EvaluateInputView, type PredictInputView } from "../../spec/model.js";
import { AliasName, AliasParams, CreateModelVersion, CreateRegisteredModel, ModelVersion, RegisteredModel, RegisteredModelList, RegisteredModelParams, SetAlias, VersionParams } from "../../spec/registry.js";
import { sendBytes } from "../binary-reply.js";
import { acceptCsvRows } from "../csv-rows-parser.js";
import { json, problems } from "../schemas.js";
import { evaluateDescription, predictBody, predictDescription } from "./models.js";

// The model registry (src/services/registry.ts): names, versions, aliases, and
// predict / evaluate through an alias or a version.

const tags = ["registry"];

export const registeredModelRoutes: FastifyPluginAsyncTypebox<{ registry: RegistryService; models: ModelService; predictBodyLimit: number }> = async (app, { registry, models, predictBodyLimit }) => {
  acceptCsvRows(app, predictBodyLimit);

  app.post(
    "/v1/registered-models",
    {
      schema: {
        operationId: "createRegisteredModel",
        tags,
        summary: "Register a model name",
        description: "A name the project keeps (unique in the project), with a description and tags; trained models become its versions.",
        body: CreateRegisteredModel,
        response: { 201: json(RegisteredModel, "The registered model, without versions yet."), ...problems(400, 401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await registry.create(request.projectId, request.body)),
  );

  app.get(
    "/v1/registered-models",
    {
      schema: {
        operationId: "listRegisteredModels",
        tags,
        summary: "List registered models",
        description: "By name; `tag` keeps those carrying the tag.",
        querystring: Type.Object({ tag: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: json(RegisteredModelList, "The registered models."), ...problems(400, 401) },
      },
    },
    async (request) => registry.list(request.projectId, request.query),
  );

  app.get(
    "/v1/registered-models/:name",
    {
      schema: {
        operationId: "getRegisteredModel",
        tags,
        summary: "Read a registered model",
        description: "Its versions (newest first), its aliases and the versions they point to.",
        params: RegisteredModelParams,
        response: { 200: json(RegisteredModel, "The registered model."), ...problems(401, 404) },
      },
    },
    async (request) => registry.get(request.projectId, request.params.name),
  );

  app.post(
    "/v1/registered-models/:name/versions",
    {
      schema: {
        operationId: "createModelVersion",
        tags,
        summary: "Register a trained model as the next version",
        description: "Versions are numbered 1, 2, ... per name, one at a time however many requests race. The same model may be a version of several names.",
        params: RegisteredModelParams,
        body: CreateModelVersion,
        response: { 201: json(ModelVersion, "The new version."), ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => reply.code(201).send(await registry.addVersion(request.projectId, request.params.name, request.body)),
  );

  app.get(
    "/v1/registered-models/:name/versions/:version",
    {
      schema: { operationId: "getModelVersion", tags, summary: "Read a version", description: "Its model, description, tags and the aliases pointing to it.", params: VersionParams, response: { 200: json(ModelVersion, "The version."), ...problems(400, 401, 404) } },
    },
    async (request) => registry.getVersion(request.projectId, request.params.name, request.params.version),
  );

  app.put(
    "/v1/registered-models/:name/aliases/:alias",
    {
      schema: {
        operationId: "setModelAlias",
        tags,
        summary: "Point an alias at a version",
        description: "Creates the alias or moves it, in one statement: a predict through the alias uses the old version or the new one, never none.",
        params: Type.Object({ name: RegisteredModelParams.properties.name, alias: AliasName }, { additionalProperties: false }),
        body: SetAlias,
        response: { 200: json(ModelVersion, "The version the alias now points to."), ...problems(400, 401, 404) },
      },
    },
    async (request) => registry.setAlias(request.projectId, request.params.name, request.params.alias, request.body.version),
  );

  app.delete(
    "/v1/registered-models/:name/aliases/:alias",
    {
      schema: { operationId: "deleteModelAlias", tags, summary: "Delete an alias", description: "The version it pointed to stays.", params: AliasParams, response: { 204: { description: "Deleted.", type: "null" }, ...problems(401, 404) } },
    },
    async (request, reply) => {
      await registry.deleteAlias(request.projectId, request.params.name, request.params.alias);
      return reply.code(204).send(null);
    },
  );

  for (const [by, params] of [["aliases/:alias", AliasParams], ["versions/:version", VersionParams]] as const) {
    const pointer = (p: { alias?: string; version?: number }) => (p.version !== undefined ? { version: p.version } : { alias: p.alias! });
    const what = by.startsWith("aliases") ? "Alias" : "Version";
    app.post(
      `/v1/registered-models/:name/${by}/predict`,
      {
        bodyLimit: predictBodyLimit,
        schema: {
          operationId: `predictBy${what}`,
          tags,
          summary: `Predict with the model a registry ${what.toLowerCase()} points to`,
          description: `As POST /v1/models/{id}/predict on that model. ${predictDescription}`,
          params,
          body: predictBody,
          response: { 200: json(Prediction, "One output per input."), ...problems(400, 401, 404, 413) },
        },
      },
      async (request) => models.predict(request.projectId, await registry.resolve(request.projectId, request.params.name, pointer(request.params)), request.body as PredictInputView),
    );
    app.get(
      `/v1/registered-models/:name/${by}/tfjs/model.json`,
      {
        schema: {
          operationId: `getTfjsModelBy${what}`,
          tags,
          summary: `Export to TensorFlow.js the model a registry ${what.toLowerCase()} points to: model.json`,
          description:
            "As GET /v1/models/{id}/tfjs/model.json. Through an alias, the weights manifest points at that version's weights.bin " +
            "(../../../versions/{version}/tfjs/weights.bin), so a loader gets matching files even if the alias moves between its two requests.",
          params,
          response: {
            200: json(
              {
                type: "object",
                additionalProperties: true,
                description: "modelTopology, format, generatedBy, weightsManifest",
                examples: [{ format: "layers-model", generatedBy: "descent", modelTopology: { class_name: "Sequential", config: { name: "sequential", layers: [] } }, weightsManifest: [{ paths: ["../../../versions/2/tfjs/weights.bin"], weights: [{ name: "dense_1/kernel", shape: [4, 16], dtype: "float32" }] }] }],
              },
              "The model.json.",
            ),
            ...problems(401, 404, 422),
          },
        },
      },
      async (request) => {
        const { modelId, version } = await registry.resolveVersion(request.projectId, request.params.name, pointer(request.params));
        const { modelJson } = await models.tfjs(request.projectId, modelId);
        if (!by.startsWith("aliases")) return modelJson;
        const pinned = `../../../versions/${version}/tfjs/weights.bin`;
        return { ...modelJson, weightsManifest: modelJson.weightsManifest.map((group) => ({ ...group, paths: group.paths.map(() => pinned) })) };
      },
    );
    app.get(
      `/v1/registered-models/:name/${by}/tfjs/weights.bin`,
      {
        schema: {
          operationId: `getTfjsWeightsBy${what}`,
          tags,
          summary: `Export to TensorFlow.js the model a registry ${what.toLowerCase()} points to: weights.bin`,
          description: "As GET /v1/models/{id}/tfjs/weights.bin.",
          params,
          response: { 200: { description: "The weights.", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } }, ...problems(401, 404, 422) },
        },
      },
      async (request, reply) => {
        const modelId = await registry.resolve(request.projectId, request.params.name, pointer(request.params));
        return sendBytes(reply, (await models.tfjs(request.projectId, modelId)).weightsBin);
      },
    );
    app.post(
      `/v1/registered-models/:name/${by}/evaluate`,
      {
        bodyLimit: predictBodyLimit,
        schema: {
          operationId: `evaluateBy${what}`,
          tags,
          summary: `Evaluate the model a registry ${what.toLowerCase()} points to`,
          description: `As POST /v1/models/{id}/evaluate on that model. ${evaluateDescription}`,
          params,
          body: EvaluateInput,
          response: { 200: json(EvaluationResult, "The metrics."), ...problems(400, 401, 404, 413, 422) },
        },
      },
      async (request) => models.evaluate(request.projectId, await registry.resolve(request.projectId, request.params.name, pointer(request.params)), request.body as EvaluateInputView),
    );
  }
};
