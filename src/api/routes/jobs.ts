import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { JobService } from "../../services/jobs.js";
import { IdParams, Page, PageQuery } from "../../spec/common.js";
import { DryRun, EpochMetric, ForkInput, Job, JobComparison, JobInput, JobPatch, JobStatus } from "../../spec/job.js";
import { json, problems } from "../schemas.js";
import { acceptsCsv, METRIC_COLUMNS, metricsCsv } from "../metrics-csv.js";
import { IdempotencyHeaders, sendIdempotent } from "../idempotent-route.js";
import type { Idempotency } from "../../services/idempotency.js";

export const jobRoutes: FastifyPluginAsyncTypebox<{ jobs: JobService; idempotency: Idempotency }> = async (app, { jobs, idempotency }) => {
  app.post(
    "/v1/jobs",
    {
      schema: {
        operationId: "createJob",
        tags: ["jobs"],
        summary: "Submit a training job",
        description:
          "Checks the model spec against the dataset (input size, output units vs classes, loss vs labels) and queues the job. " +
          "A spec that cannot train is a 400 naming the layer and the shapes; nothing is queued. " +
          "With `?dryRun=true` the same checks run and nothing is stored or queued: the answer (200) has each layer's output shape and parameters " +
          "(trainable or frozen), the FLOPs per sample, the peak training memory at the batch size, a time estimate from this installation's recent jobs, and warnings. " +
          "`&overfitOneBatch=true` also trains a fresh model 30 steps on the first batch of the job's training rows, on the API's prediction threads, and says whether the loss fell (the classic first check before a long run).",
        querystring: Type.Object(
          {
            dryRun: Type.Optional(Type.Boolean({ description: "Validate and estimate only: create nothing." })),
            overfitOneBatch: Type.Optional(Type.Boolean({ description: "With dryRun: train 30 steps on one batch and report the losses." })),
          },
          { additionalProperties: false },
        ),
        body: JobInput,
        headers: IdempotencyHeaders,
        response: { 200: json(DryRun, "The dry run: what the job would train and cost; nothing was created."), 202: json(Job, "The queued job; Location points at it."), ...problems(400, 401, 409, 413, 415, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      if (request.query.dryRun) return reply.code(200).send(await jobs.dryRun(request.projectId, request.body, { overfitOneBatch: request.query.overfitOneBatch ?? false }));
      return sendIdempotent(idempotency, request, reply, async () => ({ statusCode: 202, body: await jobs.submit(request.projectId, request.body) }), (id) => `/v1/jobs/${id}`);
    },
  );

  app.get(
    "/v1/jobs",
    {
      schema: {
        operationId: "listJobs",
        tags: ["jobs"],
        summary: "List jobs",
        description: "Newest first, optionally filtered by status and by tag, with cursor pagination.",
        querystring: Type.Object({ ...PageQuery, status: Type.Optional(JobStatus), tag: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), fingerprint: Type.Optional(Type.String({ pattern: "^[0-9a-f]{64}$", description: "Only those with this fingerprint (repeats of one run)." })) }, { additionalProperties: false }),
        response: { 200: json(Page(Job, "JobPage"), "A page of jobs."), ...problems(400) },
      },
    },
    async (request) => jobs.list(request.projectId, { limit: request.query.limit ?? 20, cursor: request.query.cursor, status: request.query.status, tag: request.query.tag, fingerprint: request.query.fingerprint }),
  );

  app.get(
    "/v1/jobs/compare",
    {
      schema: {
        operationId: "compareJobs",
        tags: ["jobs"],
        summary: "Compare jobs",
        description:
          "2 to 20 jobs of the project (`ids`, comma-separated) side by side, as one overlays runs in W&B or TensorBoard: every per-epoch metric aligned on the epoch " +
          "(a series per job, null where a job has no such epoch), and the settings of {datasetId, model, training} whose values differ, by JSON pointer.",
        querystring: Type.Object({ ids: Type.String({ minLength: 1, maxLength: 2000, pattern: "^[^,]+(,[^,]+)*$", description: "Job ids, comma-separated.", examples: ["job_01jf3k2m9q8r7s6t5v4w,job_01jf3k2m9q8r7s6t5v4x"] }) }, { additionalProperties: false }),
        response: { 200: json(JobComparison, "The jobs side by side."), ...problems(400, 404) },
      },
    },
    async (request) => jobs.compare(request.projectId, request.query.ids.split(",").map((id) => id.trim())),
  );

  app.get(
    "/v1/jobs/:id",
    {
      schema: {
        operationId: "getJob",
        tags: ["jobs"],
        summary: "Read a job",
        description: "Status, progress (epoch of totalEpochs), best metrics so far, error if it failed, and the trained model's id once it succeeded.",
        params: IdParams,
        response: { 200: json(Job, "The job."), ...problems(404) },
      },
    },
    async (request) => jobs.get(request.projectId, request.params.id),
  );

  app.patch(
    "/v1/jobs/:id",
    {
      schema: {
        operationId: "updateJob",
        tags: ["jobs"],
        summary: "Relabel a job, or change its training while it runs",
        description:
          "Labels: the fields given replace the stored ones (`name: null` clears the name); the model a job trains starts with the job's labels. " +
          "`training` changes a queued, running or paused job's learning rate, total epochs or early-stopping patience: the worker applies them from the next epoch boundary " +
          "(a paused job: when it resumes), the metrics rows show the rate used, a resumed attempt keeps them, and each change is a `change` event in the job's stream and in `trainingChanges`. " +
          "A changed job loses its fingerprint (its weights depend on when the change took effect). 409 for a job that has ended, epochs not above those trained, or patience without early stopping; " +
          "more epochs must fit the service's limits (422).",
        params: IdParams,
        body: JobPatch,
        response: { 200: json(Job, "The job."), ...problems(400, 404, 409, 422) },
      },
    },
    async (request) => jobs.update(request.projectId, request.params.id, request.body),
  );

  app.post(
    "/v1/jobs/:id/cancel",
    {
      schema: {
        operationId: "cancelJob",
        tags: ["jobs"],
        summary: "Cancel a job",
        description:
          "A queued job is cancelled at once. A running job is stopped by its worker at the next batch boundary " +
          "(within about a second), keeps the metrics of its completed epochs, and ends `cancelled` without retry. " +
          "Cancelling again is harmless; cancelling a job that has ended is a 409 naming its status.",
        params: IdParams,
        response: { 202: json(Job, "The job, cancelled or being cancelled."), ...problems(404, 409) },
      },
    },
    async (request, reply) => reply.code(202).send(await jobs.cancel(request.projectId, request.params.id)),
  );

  app.post(
    "/v1/models/:id/verify",
    {
      schema: {
        operationId: "verifyModel",
        tags: ["models"],
        summary: "Retrain a model from scratch and check its weights are bit-identical",
        description:
          "Queues a verification job: a worker retrains the model's source job from scratch (same dataset, model, training and seed: the same fingerprint) " +
          "and, instead of storing a model, compares the weights value by value with the stored ones. When it has succeeded, its `verification` says " +
          "`identical: true | false`, how many values differ and by how much at most. 409 for a model without a fingerprint (trained before fingerprints, " +
          "or its training changed while it ran) or from a fork with overrides; 429 when the project has its most queued and running jobs.",
        params: IdParams,
        response: { 202: json(Job, "The verification job, queued."), ...problems(404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const job = await jobs.verify(request.projectId, request.params.id);
      return reply.code(202).header("location", `/v1/jobs/${job.id}`).send(job);
    },
  );

  app.post(
    "/v1/jobs/:id/fork",
    {
      schema: {
        operationId: "forkJob",
        tags: ["jobs"],
        summary: "Fork a job from one of its epochs",
        description:
          "A new job that starts where the source stood after `fromEpoch`: that epoch's kept checkpoint (the latest CHECKPOINTS_KEPT epochs of every job are kept, also after it ends), " +
          "the source's metrics and epoch events up to it, and the training in force then, with `training`'s overrides (learning rate, epochs, patience) on top. " +
          "Without overrides, the fork's final weights equal the source's bit for bit (and it carries the source's fingerprint). `forkedFrom` names the source. " +
          "409 for an epoch the source has not trained or whose checkpoint is not kept; 429 when the project has its most queued and running jobs.",
        params: IdParams,
        body: ForkInput,
        response: { 202: json(Job, "The fork, queued."), ...problems(400, 404, 409, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const job = await jobs.fork(request.projectId, request.params.id, request.body);
      return reply.code(202).header("location", `/v1/jobs/${job.id}`).send(job);
    },
  );

  app.post(
    "/v1/jobs/:id/pause",
    {
      schema: {
        operationId: "pauseJob",
        tags: ["jobs"],
        summary: "Pause a job",
        description:
          "A queued job is paused at once. A running job is paused by its worker at the next batch boundary (within about a second): " +
          "the checkpoint of that batch is kept, the worker takes other work, and the job waits as `paused` until resumed. " +
          "Pausing a paused job changes nothing; pausing a job that has ended is a 409 naming its status.",
        params: IdParams,
        response: { 202: json(Job, "The job, paused or being paused (`pauseRequested`)."), ...problems(404, 409) },
      },
    },
    async (request, reply) => reply.code(202).send(await jobs.pause(request.projectId, request.params.id)),
  );

  app.post(
    "/v1/jobs/:id/resume",
    {
      schema: {
        operationId: "resumeJob",
        tags: ["jobs"],
        summary: "Resume a paused job",
        description:
          "Queues a paused job again; a worker continues it from the batch it paused at, and its final weights are those of a run never paused. " +
          "It counts against the project's queued and running jobs as a submission does (429 when the project is full). " +
          "Resuming a job whose pause has not yet taken effect withdraws the pause; resuming a job that has ended is a 409 naming its status.",
        params: IdParams,
        response: { 202: json(Job, "The job, queued again."), ...problems(404, 409, 429) },
      },
    },
    async (request, reply) => reply.code(202).send(await jobs.resume(request.projectId, request.params.id)),
  );

  app.get(
    "/v1/jobs/:id/metrics",
    {
      schema: {
        operationId: "listJobMetrics",
        tags: ["jobs"],
        summary: "Per-epoch metrics of a job",
        description: "One row per completed epoch, readable while the job runs. With `Accept: text/csv`, the same rows as CSV (a header row; empty cells where a metric does not apply).",
        params: IdParams,
        response: {
          200: {
            description: "The job's epochs so far.",
            content: {
              "application/json": { schema: Type.Object({ data: Type.Array(EpochMetric) }, { examples: [{ data: (EpochMetric as { examples?: unknown[] }).examples }] }) },
              "text/csv": { schema: { type: "string", examples: [`${METRIC_COLUMNS.join(",")}\n4,0.29,0.91,0.33,0.9,,,0.001,412\n`] } },
            },
          },
          ...problems(404),
        },
      },
    },
    async (request, reply) => {
      const data = await jobs.metrics(request.projectId, request.params.id);
      if (!acceptsCsv(request.headers.accept)) return { data };
      return reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${request.params.id}-metrics.csv"`).send(metricsCsv(data));
    },
  );
};
