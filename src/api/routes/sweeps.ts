import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { SweepService } from "../../services/sweeps.js";
import { IdParams } from "../../spec/common.js";
import { CreateSweep, Sweep } from "../../spec/sweep.js";
import { json, problems } from "../schemas.js";

const tags = ["sweeps"];

export const sweepRoutes: FastifyPluginAsyncTypebox<{ sweeps: SweepService }> = async (app, { sweeps }) => {
  app.post(
    "/v1/sweeps",
    {
      schema: {
        operationId: "createSweep",
        tags,
        summary: "Start a hyperparameter sweep",
        description:
          "Trials are ordinary jobs made from `base` with the parameters set (JSON pointers into it): `grid` (every combination of `values`, in order), " +
          "`random` (each trial drawn from the seed and its number), or `tpe` (a Tree-structured Parzen Estimator after 5 random trials). " +
          "At most `maxParallel` trials run at once, `maxTrials` in all. With `earlyTermination` (type `asha`) a trial stops at each rung " +
          "(minEpochs, minEpochs x reductionFactor, ...) unless it is among the best 1/reductionFactor of the trials that reached the rung; it ends as `pruned`. " +
          "The first trial is submitted before the answer: a base job that does not fit its dataset is a 400 at /base/... .",
        body: CreateSweep,
        response: { 202: json(Sweep, "The sweep, its first trials queued."), ...problems(400, 401, 404, 429) },
      },
    },
    async (request, reply) => reply.code(202).send(await sweeps.create(request.projectId, request.body)),
  );

  app.get(
    "/v1/sweeps",
    { schema: { operationId: "listSweeps", tags, summary: "List sweeps", description: "Newest first (the latest 100).", response: { 200: json(Type.Object({ data: Type.Array(Sweep) }, { title: "SweepList", examples: [{ data: (Sweep as { examples?: unknown[] }).examples }] }), "The sweeps."), ...problems(401) } } },
    async (request) => sweeps.list(request.projectId),
  );

  app.get(
    "/v1/sweeps/:id",
    {
      schema: {
        operationId: "getSweep",
        tags,
        summary: "Read a sweep",
        description: "Its status, every trial (parameters, status, best metric so far, epochs), the best trial and its model, and the epochs trained in all.",
        params: IdParams,
        response: { 200: json(Sweep, "The sweep."), ...problems(401, 404) },
      },
    },
    async (request) => sweeps.get(request.projectId, request.params.id),
  );

  app.post(
    "/v1/sweeps/:id/cancel",
    {
      schema: {
        operationId: "cancelSweep",
        tags,
        summary: "Cancel a sweep",
        description: "No trial starts after this; queued trials are cancelled at once, running ones at their next batch. 409 once the sweep has ended.",
        params: IdParams,
        response: { 202: json(Sweep, "The sweep, cancelled."), ...problems(401, 404, 409) },
      },
    },
    async (request, reply) => reply.code(202).send(await sweeps.cancel(request.projectId, request.params.id)),
  );
};
