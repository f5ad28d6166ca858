import { Prisma, type Database, type Dataset, type TrainingJob } from "../db/client.js";
import { newId } from "../db/ids.js";
import { decodeBestMetrics, decodeColumnReports, decodeJobError, decodeJobModel, decodeModelSpec, decodeStatusChange, decodeTrainingChange, decodeTrainingConfig, decodeVerification, decodeDataReport, toJson } from "../db/json-columns.js";
import { classWeights, windowShape } from "../features/index.js";
import { createTableCache, fitJobPipeline, splitTable, tableDatasetOf, tableTrainingData, type TableDatasetRow } from "./table-training.js";
import { DescentError, invalid, notFound, pointerSegment } from "../errors.js";
import type { TrainingConfig } from "../spec/training-config.js";
import type { TrainingQueuePort } from "./training-queue-port.js";
import type { DryRunView, EpochMetricView, ForkInput, JobInput, JobPatch, JobView } from "../spec/job.js";
import { withLiveChanges } from "./live-changes.js";
import { forkJob } from "./job-forks.js";
import { createVerificationJob } from "./job-verifications.js";
import { isTransferSpec, type ModelSpec, type TransferSpec } from "../spec/model-spec.js";
import { checkJobFitsDataset, checkTransferFitsDataset, withTrainingDefaults, type ResolvedTrainingConfig } from "./job-validation.js";
import { checkJobLimits } from "./job-limits.js";
import { checkEmbeddingsReadIds, resolveColumnSelections } from "./column-selections.js";
import type { Limits } from "../config.js";
import { trainingSplit, transferSpec, type LayerSummary } from "../engine/index.js";
import { copiesAcross, type RowSet } from "./data-report.js";
import type { PredictionRunner } from "./models.js";
import { loadDatasetArrays } from "./datasets.js";
import { insertJobEnd, insertJobEvent, statusChange, type JobEventSink } from "./job-events.js";
import { pageOf, type Page, type PageRequest } from "./pagination.js";
import { findJobRow, reserveQueuedSlot, type JobRow } from "./job-queries.js";
import { createJobInsertBatches } from "./job-insert-batches.js";
import { compareJobs } from "./job-comparison.js";
import { dryRunReport } from "./job-dry-run.js";
import { jobFingerprint } from "./job-fingerprint.js";

type JobStatus = JobView["status"];

/** Optimizer steps of the dry run's overfitOneBatch: a few dozen, as the classic check takes. */
const OVERFIT_STEPS = 30;

/** A submission waits no longer than this for Redis before answering 503. */
const ENQUEUE_TIMEOUT_MS = 800;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Why a running job is to stop at its next batch. */
export type StopRequest = "cancel" | "pause";

/** How the API reaches workers and event followers (Redis pub/sub in production). */
export interface JobSignals {
  /** Tells the workers to stop a running job at its next batch: to end it (cancel), or to pause it. */
  requestStop(jobId: string, stop: StopRequest): Promise<void>;
  events: JobEventSink;
}

/**
 * `probe`: where the dry run's overfitOneBatch trains (the API's prediction
 * threads); without it that check reports null.
 */
export function createJobService({
  db,
  queue,
  signals,
  limits,
  probe,
}: {
  db: Database;
  queue: Pick<TrainingQueuePort, "enqueue" | "remove">;
  signals: JobSignals;
  limits: Limits;
  probe?: Pick<PredictionRunner, "overfit">;
}) {
  /** Shape inference of the model the job will train: the submitted one, or the one transfer learning makes from a stored model. */
  async function inferLayers(
    projectId: string,
    model: ModelSpec | TransferSpec,
    training: ResolvedTrainingConfig,
    dataset: { numFeatures: number; numClasses: number; numSamples: number; inputShape: number[] },
  ): Promise<LayerSummary[]> {
    if (!isTransferSpec(model)) return checkJobFitsDataset(model, training, dataset);
    const base = await db.model.findFirst({ where: { id: model.baseModelId, projectId }, select: { spec: true } });
    if (!base) {
      const message = `model ${model.baseModelId} does not exist`;
      throw new DescentError("VALIDATION_FAILED", message, [{ path: "/model/baseModelId", message }]);
    }
    return checkTransferFitsDataset(decodeModelSpec(base.spec, `model ${model.baseModelId}'s spec`), model, training, dataset);
  }

  /** The 404 for an unknown job, or the 409 naming the status of one that has ended. */
  async function endedConflict(projectId: string, id: string): Promise<DescentError> {
    const job = await db.trainingJob.findFirst({ where: { id, projectId }, select: { status: true } });
    if (!job) return notFound("job", id);
    return new DescentError("CONFLICT", `job ${id} has already ended: its status is ${job.status}`, [{ path: "/status", message: job.status }]);
  }

  /**
   * Enqueues a job just stored. Without a queue entry it would wait forever:
   * when Redis does not answer, the job is taken back (its rows cascade) and
   * the client told to retry, rather than keep half a job.
   */
  async function enqueueOrTakeBack(jobId: string, rank: number): Promise<void> {
    try {
      await withTimeout(queue.enqueue(jobId, rank), ENQUEUE_TIMEOUT_MS);
    } catch (error) {
      await db.trainingJob.delete({ where: { id: jobId } });
      throw new DescentError("UNAVAILABLE", "the job queue (Redis) is unavailable; nothing was created, retry shortly", undefined, { cause: error });
    }
  }

  /** Enqueues a stored queued job and answers its view as it was queued (read first: a worker may take it as soon as it is enqueued). */
  async function queuedView(projectId: string, jobId: string, rank: number): Promise<JobView> {
    const row = await findJobRow(db, projectId, jobId);
    await enqueueOrTakeBack(jobId, rank);
    return toJobView(row!);
  }

  /** A new number of epochs for a job must fit this service's limits as a submission does (404 for an unknown job). */
  async function checkEpochs(projectId: string, id: string, epochs: number | undefined): Promise<void> {
    if (epochs === undefined) return;
    const job = await db.trainingJob.findFirst({ where: { id, projectId }, select: { datasetId: true, spec: true, training: true } });
    if (!job) throw notFound("job", id);
    const training = { ...decodeTrainingConfig(job.training, `job ${id}'s training config`), epochs };
    await prepare(projectId, { datasetId: job.datasetId, model: decodeJobModel(job.spec, `job ${id}'s model`), training });
  }

  const tables = createTableCache();
  /** A table dataset's decoded table (cached), or null when it holds none. */
  const tableOf = (datasetId: string) => tables(datasetId, async () => (await db.dataset.findUnique({ where: { id: datasetId }, select: { table: true } }))?.table ?? null);
  const inserts = createJobInsertBatches(db, limits.maxActiveJobsPerProject);

  /**
   * A table job's shape: its rows split, its feature pipeline fitted on the
   * training rows, so that the spec is checked against the width and the
   * classes the worker will train with (the pipeline is stored with the job).
   */
  async function tableShape(dataset: TableDatasetRow, training: ResolvedTrainingConfig) {
    const table = await tableOf(dataset.id);
    if (!table) throw new DescentError("VALIDATION_FAILED", `dataset ${dataset.id} holds no table`, [{ path: "/datasetId", message: "holds no table" }]);
    const tableDataset = tableDatasetOf(dataset);
    const split = splitTable(table, tableDataset, training);
    const pipeline = fitJobPipeline(table, tableDataset, training, split);
    const numClasses = pipeline.label.task === "classification" ? pipeline.label.classNames.length : 0;
    if (pipeline.timeSeries) {
      // Samples are windows: count those that train and validate, as the worker will cut them.
      const { train, validation } = tableTrainingData(table, pipeline, split);
      const inputShape = windowShape(pipeline, pipeline.timeSeries);
      if (train.numRows === 0) {
        const message = `no training window: the training rows hold no ${inputShape[0]} + ${pipeline.timeSeries.horizon} consecutive rows kept by the pipeline`;
        throw new DescentError("INVALID_SPEC", message, [{ path: "/training/timeSeries/window", message }]);
      }
      return { numFeatures: inputShape[0] * inputShape[1], numClasses, numSamples: train.numRows + (validation?.numRows ?? 0), inputShape, pipeline };
    }
    return { numFeatures: pipeline.width, numClasses, numSamples: pipeline.training.kept + split.validation.length, inputShape: [pipeline.width], pipeline };
  }

  /** A matrix dataset has no rows in time order to cut into windows. */
  function matrixShape<D extends Pick<Dataset, "id">>(dataset: D, training: ResolvedTrainingConfig) {
    if (training.timeSeries) {
      const message = `dataset ${dataset.id} is a matrix; timeSeries needs a table (upload the series as CSV or rows, one row per time step)`;
      throw new DescentError("INVALID_SPEC", message, [{ path: "/training/timeSeries", message }]);
    }
    return { ...dataset, pipeline: null };
  }

  /** How many leading layers a job's model keeps frozen (a transfer's, resolved against its base). */
  async function frozenLayersOf(projectId: string, model: ModelSpec | TransferSpec): Promise<number> {
    if (!isTransferSpec(model)) return model.frozenLayers ?? 0;
    const base = await db.model.findFirst({ where: { id: model.baseModelId, projectId }, select: { spec: true } });
    const options = { dropLayers: model.dropLayers, addLayers: model.addLayers, freeze: model.freeze };
    return base ? (transferSpec(decodeModelSpec(base.spec, `model ${model.baseModelId}'s spec`), options).spec.frozenLayers ?? 0) : 0;
  }

  type Prepared = Awaited<ReturnType<typeof prepare>>;

  /**
   * The job's training and validation rows as its worker would train on
   * them: a table's rows split and encoded as at submission, or a matrix's
   * samples split as fit() draws them (engine trainingSplit). Null when the
   * dataset is gone.
   */
  async function splitRowsOf({ dataset, training, shape }: Prepared): Promise<{ width: number; train: RowSet & { y: Float32Array }; validation: RowSet | null; timeSeries: boolean } | null> {
    const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
    if (shape.pipeline) {
      const table = await tableOf(dataset.id);
      if (!table) return null;
      const tableDataset = tableDatasetOf(dataset);
      const { train, validation } = tableTrainingData(table, shape.pipeline, splitTable(table, tableDataset, training));
      const width = train.numRows > 0 ? train.x.length / train.numRows : shape.pipeline.width;
      return { width, train: { x: train.x, y: train.y!, rows: all(train.numRows) }, validation: validation ? { x: validation.x, rows: all(validation.numRows) } : null, timeSeries: shape.pipeline.timeSeries !== undefined };
    }
    const arrays = await loadDatasetArrays(db, dataset.id);
    if (!arrays) return null;
    const { train, validation } = trainingSplit(arrays.numSamples, training, dataset.numClasses > 0 ? Int32Array.from(arrays.labels) : null);
    return { width: arrays.numFeatures, train: { x: arrays.features, y: arrays.labels, rows: train }, validation: { x: arrays.features, rows: validation }, timeSeries: false };
  }

  /**
   * The dry run's leakage check: validation rows of this job's split whose
   * features equal a training row's (null without validation, or for a time
   * series, whose windows overlap by design).
   */
  function copiesAcrossSplit(rows: Awaited<ReturnType<typeof splitRowsOf>>, training: ResolvedTrainingConfig): number | null {
    if (!rows || rows.timeSeries || !((training.validationSplit ?? 0) > 0)) return null;
    return rows.validation ? copiesAcross(rows.width, rows.train, rows.validation) : 0;
  }

  /** overfitOneBatch: a fresh model trained OVERFIT_STEPS times on the first batch of training rows, on the API's prediction threads. */
  async function overfitOneBatch({ model, training }: Prepared, rows: Awaited<ReturnType<typeof splitRowsOf>>): Promise<DryRunView["overfitOneBatch"]> {
    if (!probe || !rows || isTransferSpec(model)) return null;
    const n = Math.min(training.batchSize, rows.train.rows.length);
    const x = new Float32Array(n * rows.width);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const row = rows.train.rows[i];
      x.set(rows.train.x.subarray(row * rows.width, (row + 1) * rows.width), i * rows.width);
      y[i] = rows.train.y[row];
    }
    const losses = [...(await probe.overfit({ spec: model, seed: training.seed ?? 0, loss: training.loss, optimizer: training.optimizer, x, y, n, steps: OVERFIT_STEPS }))];
    return { batchSize: n, steps: OVERFIT_STEPS, losses, decreased: losses[losses.length - 1] < losses[0] / 2 };
  }

  /** Everything a submission checks (dataset, spec against it, limits), without storing anything. */
  async function prepare(projectId: string, input: JobInput) {
    const dataset = await db.dataset.findFirst({ where: { id: input.datasetId, projectId, deletedAt: null }, select: datasetShape });
    if (!dataset) {
      throw new DescentError("VALIDATION_FAILED", `dataset ${input.datasetId} does not exist`, [
        { path: "/datasetId", message: `dataset ${input.datasetId} does not exist` },
      ]);
    }
    const training = { ...withTrainingDefaults(input.training), timeLimitSeconds: input.training.timeLimitSeconds ?? limits.maxJobSeconds };
    const shape = dataset.kind === "table" ? await tableShape(dataset, training) : matrixShape(dataset, training);
    const model = isTransferSpec(input.model) ? input.model : resolveColumnSelections({ ...input.model, inputShape: input.model.inputShape ?? shape.inputShape }, shape.pipeline);
    if (training.classWeight !== undefined) training.classWeights = resolveClassWeights(training, shape.pipeline?.label.task === "classification" ? shape.pipeline.label : dataset);
    const layers = await inferLayers(projectId, model, training, shape);
    if (!isTransferSpec(model)) checkEmbeddingsReadIds(model, layers, shape.pipeline);
    checkJobLimits(layers, training, shape, limits);
    return { dataset, training, shape, model, layers };
  }

  return {
    /** What a submission of `input` would train, and what it would cost (POST /v1/jobs?dryRun=true): validated as submit does, nothing stored. */
    async dryRun(projectId: string, input: JobInput, options: { overfitOneBatch?: boolean } = {}): Promise<DryRunView> {
      const prepared = await prepare(projectId, input);
      const stored = (await db.dataset.findUnique({ where: { id: prepared.dataset.id }, select: { report: true } }))?.report ?? null;
      const dataReport = stored === null ? null : decodeDataReport(stored, `dataset ${prepared.dataset.id}'s report`);
      // The rows are read only for what needs them: a validation split to check, or the batch to overfit.
      const rows = (prepared.training.validationSplit ?? 0) > 0 || options.overfitOneBatch ? await splitRowsOf(prepared) : null;
      const overfit = options.overfitOneBatch ? { overfitOneBatch: await overfitOneBatch(prepared, rows) } : {};
      const report = await dryRunReport(db, { ...prepared, input, report: dataReport, leakedRows: copiesAcrossSplit(rows, prepared.training), frozenLayers: await frozenLayersOf(projectId, prepared.model) });
      return { ...report, ...overfit };
    },

    /** Validates the spec against the dataset, stores the job, then enqueues its id. */
    async submit(projectId: string, input: JobInput, { sweepId = null }: { sweepId?: string | null } = {}): Promise<JobView> {
      const { dataset, training, shape, model } = await prepare(projectId, input);
      const fingerprint = jobFingerprint(dataset.checksum, model, training as unknown as Record<string, unknown>);
      const job = { id: newId("job"), sweepId, fingerprint, name: input.name ?? null, description: input.description ?? "", tags: input.tags ?? [], datasetId: dataset.id, totalEpochs: training.epochs, createdAt: new Date() };
      const submitted = { ...statusChange("queued", "submitted", job.createdAt) };
      const outcome = await inserts.insert(projectId, { ...job, spec: model, training, pipeline: shape.pipeline, submitted });
      if (!outcome.inserted) {
        throw new DescentError("RATE_LIMITED", `this project has ${outcome.active} queued or running jobs, the most it may have; wait for one to end or cancel one`);
      }
      await enqueueOrTakeBack(job.id, outcome.rank);
      // The row as inserted, its JSON as read back, so the answer is what GET answers.
      return toJobView({
        ...job,
        status: "queued",
        spec: JSON.parse(JSON.stringify(model)),
        training: JSON.parse(JSON.stringify(training)),
        epoch: 0,
        attempt: 0,
        bestMetrics: null,
        error: null,
        cancelRequested: false,
        pauseRequested: false,
        verifiesModelId: null,
        verification: null,
        forkedFromJobId: null,
        forkedFromEpoch: null,
        checkpointCount: 0,
        checkpointBytes: 0,
        startedAt: null,
        finishedAt: null,
        resultModelId: null,
        history: [submitted],
        trainingChanges: [],
      });
    },

    /**
     * A queued or paused job is cancelled at once (a queued one leaves the
     * queue); a running one is flagged and its worker stops at the next batch
     * boundary. One statement decides which, so concurrent cancels, and a
     * cancel racing the worker's claim or completion, leave exactly one
     * terminal state. An ended job is a 409. `pruned`: a sweep's successive
     * halving ends a trial waiting at a rung (the end says so).
     */
    async cancel(projectId: string, id: string, { pruned = false }: { pruned?: boolean } = {}): Promise<JobView> {
      const outcome = await db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ status: JobStatus; resumes: number; epoch: number; before: JobStatus }[]>`
          UPDATE "TrainingJob" j SET
            "status" = CASE WHEN j."status" IN ('queued', 'paused') THEN 'cancelled'::"JobStatus" ELSE j."status" END,
            "finishedAt" = CASE WHEN j."status" IN ('queued', 'paused') THEN now() ELSE j."finishedAt" END,
            "cancelRequested" = true,
            "updatedAt" = now()
          FROM (SELECT "id", "status" FROM "TrainingJob" WHERE "id" = ${id} AND "projectId" = ${projectId} FOR UPDATE) old
          WHERE j."id" = old."id" AND old."status" IN ('queued', 'running', 'paused')
          RETURNING j."status", j."resumes", j."epoch", old."status" AS "before"`;
        if (rows.length === 0) return null;
        const { status, resumes, before } = rows[0];
        if (status !== "cancelled") return { status, resumes, events: [] };
        // A paused job keeps its completed epochs (their metrics stay); its checkpoint goes, as at any end.
        const epoch = before === "paused" ? rows[0].epoch : 0;
        const message = pruned ? `pruned by its sweep's successive halving after epoch ${epoch}` : before === "paused" ? `cancelled while paused, after ${epoch} epochs` : "cancelled before it started";
        const events = await insertJobEnd(tx, id, { status: "cancelled", message, done: { epoch, ...(pruned ? { pruned: true } : {}) }, dropCheckpoint: before === "paused" });
        return { status, resumes, events };
      });

      if (outcome === null) throw await endedConflict(projectId, id);
      for (const event of outcome.events) signals.events.publish(id, event);
      if (outcome.status === "cancelled") {
        // A worker that took it meanwhile finds it cancelled and skips it.
        await queue.remove(id, outcome.resumes).catch(() => undefined);
      } else {
        // The flag in Postgres reaches the worker at its next epoch end even if this message is lost.
        await signals.requestStop(id, "cancel").catch(() => undefined);
      }
      return this.get(projectId, id);
    },

    /**
     * A queued job is paused at once (it leaves the queue); a running one is
     * flagged and its worker pauses it at the next batch boundary, keeping a
     * checkpoint of that batch, and takes its next job. Pausing a paused job
     * changes nothing; an ended job is a 409.
     */
    async pause(projectId: string, id: string): Promise<JobView> {
      const outcome = await db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ status: JobStatus; resumes: number; epoch: number; before: JobStatus }[]>`
          UPDATE "TrainingJob" j SET
            "status" = CASE WHEN j."status" = 'queued' THEN 'paused'::"JobStatus" ELSE j."status" END,
            "pauseRequested" = (j."status" = 'running'),
            "updatedAt" = now()
          FROM (SELECT "id", "status" FROM "TrainingJob" WHERE "id" = ${id} AND "projectId" = ${projectId} FOR UPDATE) old
          WHERE j."id" = old."id" AND old."status" IN ('queued', 'running', 'paused')
          RETURNING j."status", j."resumes", j."epoch", old."status" AS "before"`;
        if (rows.length === 0) return null;
        const [{ status, resumes, epoch, before }] = rows;
        if (before !== "queued") return { status, resumes, events: [] };
        return { status, resumes, events: [await insertJobEvent(tx, id, "status", { ...statusChange("paused", epoch > 0 ? `paused before it resumed, after ${epoch} epochs` : "paused before it started") })] };
      });
      if (outcome === null) throw await endedConflict(projectId, id);
      for (const event of outcome.events) signals.events.publish(id, event);
      if (outcome.events.length > 0) await queue.remove(id, outcome.resumes).catch(() => undefined);
      else if (outcome.status === "running") await signals.requestStop(id, "pause").catch(() => undefined);
      return this.get(projectId, id);
    },

    /**
     * Queues a paused job again, under a new queue entry; its worker resumes
     * from the checkpoint the pause kept, at the very batch it stopped. A
     * running or queued job (a pause still on its way) just loses its pause
     * request. Counted against the project's active jobs like a submission.
     */
    async resume(projectId: string, id: string): Promise<JobView> {
      const outcome = await db.$transaction(async (tx) => {
        const job = await tx.trainingJob.findFirst({ where: { id, projectId }, select: { status: true, epoch: true } });
        if (!job || !["queued", "running", "paused"].includes(job.status)) return null;
        if (job.status !== "paused") {
          await tx.trainingJob.update({ where: { id }, data: { pauseRequested: false } });
          return { enqueue: null, events: [] };
        }
        // Under the project's lock, as submissions are, so the active-job cap holds.
        const rank = await reserveQueuedSlot(tx, projectId, limits.maxActiveJobsPerProject);
        const resumed = await tx.trainingJob.updateManyAndReturn({ where: { id, status: "paused" }, data: { status: "queued", pauseRequested: false, resumes: { increment: 1 } }, select: { resumes: true } });
        // Another resume (or a cancel) took it first.
        if (resumed.length === 0) return { enqueue: null, events: [] };
        const [{ resumes }] = resumed;
        const event = await insertJobEvent(tx, id, "status", { ...statusChange("queued", `resumed after ${job.epoch} epochs`) });
        return { enqueue: { rank, resumes }, events: [event] };
      });
      if (outcome === null) throw await endedConflict(projectId, id);
      for (const event of outcome.events) signals.events.publish(id, event);
      // As it was queued: read before the enqueue, after which a worker may take it at once.
      const view = await this.get(projectId, id);
      if (outcome.enqueue) {
        // Lost with Redis, the entry is made again by the reconciler (it looks for queued jobs the queue lacks).
        await withTimeout(queue.enqueue(id, outcome.enqueue.rank, outcome.enqueue.resumes), ENQUEUE_TIMEOUT_MS).catch(() => undefined);
      }
      return view;
    },

    /** A job that retrains a model's source job from scratch and reports whether the weights come out bit-identical (job-verifications.ts); queued. */
    async verify(projectId: string, modelId: string): Promise<JobView> {
      const { jobId, rank } = await createVerificationJob(db, { projectId, modelId, maxActive: limits.maxActiveJobsPerProject });
      return queuedView(projectId, jobId, rank);
    },

    /** A new job starting after one epoch of another, from its kept checkpoint (job-forks.ts); queued. */
    async fork(projectId: string, id: string, input: ForkInput): Promise<JobView> {
      await checkEpochs(projectId, id, input.training?.epochs);
      const { jobId, rank } = await forkJob(db, { projectId, sourceId: id, input, maxActive: limits.maxActiveJobsPerProject });
      return queuedView(projectId, jobId, rank);
    },

    async get(projectId: string, id: string): Promise<JobView> {
      const job = await findJobRow(db, projectId, id);
      if (!job) throw notFound("job", id);
      return toJobView(job);
    },

    /** Several jobs side by side: aligned per-epoch metrics and the settings that differ (job-comparison.ts). */
    compare: (projectId: string, ids: string[]) => compareJobs(db, projectId, ids),

    /**
     * Replaces the labels given (name, description, tags) and changes the
     * training of a job that has not ended (learning rate, epochs, patience):
     * its worker applies them from the next epoch boundary, and a resumed
     * attempt starts with them. Each training change is a `change` event. A
     * changed job has no fingerprint: its weights depend on when the change
     * took effect.
     */
    async update(projectId: string, id: string, { training: changes, ...labels }: JobPatch): Promise<JobView> {
      if (!changes) {
        const { count } = await db.trainingJob.updateMany({ where: { id, projectId }, data: labels });
        if (count === 0) throw notFound("job", id);
        return this.get(projectId, id);
      }
      await checkEpochs(projectId, id, changes.epochs);
      const event = await db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ status: JobStatus; epoch: number; training: Prisma.JsonValue }[]>`
          SELECT "status"::text AS "status", "epoch", "training" FROM "TrainingJob" WHERE "id" = ${id} AND "projectId" = ${projectId} FOR UPDATE`;
        if (rows.length === 0) throw notFound("job", id);
        const [{ status, epoch }] = rows;
        if (!["queued", "running", "paused"].includes(status)) {
          throw new DescentError("CONFLICT", `job ${id} has already ended (its status is ${status}): its training can no longer change`, [{ path: "/status", message: status }]);
        }
        const { training, fields } = withLiveChanges(decodeTrainingConfig(rows[0].training, `job ${id}'s training config`), changes, epoch);
        await tx.trainingJob.update({ where: { id }, data: { ...labels, training: toJson(training), totalEpochs: training.epochs, fingerprint: null } });
        return insertJobEvent(tx, id, "change", { at: new Date().toISOString(), epoch, fields });
      });
      signals.events.publish(id, event);
      return this.get(projectId, id);
    },

    async list(projectId: string, page: PageRequest & { status?: JobStatus; tag?: string; fingerprint?: string }): Promise<Page<JobView>> {
      const rows = await db.trainingJob.findMany({
        where: { projectId, ...(page.status ? { status: page.status } : {}), ...(page.tag ? { tags: { has: page.tag } } : {}), ...(page.fingerprint ? { fingerprint: page.fingerprint } : {}), ...(page.cursor ? { id: { lt: page.cursor } } : {}) },
        orderBy: { id: "desc" },
        take: page.limit + 1,
        include: jobInclude,
      });
      const kept = await db.epochCheckpoint.groupBy({ by: ["jobId"], where: { jobId: { in: rows.map((row) => row.id) } }, _count: { _all: true }, _sum: { bytes: true } });
      const keptOf = new Map(kept.map((k) => [k.jobId, { count: k._count._all, bytes: k._sum.bytes ?? 0 }]));
      return pageOf(rows.map((row) => toJobView(withRelations(row, keptOf.get(row.id)))), page.limit);
    },

    async metrics(projectId: string, id: string): Promise<EpochMetricView[]> {
      const job = await db.trainingJob.findFirst({ where: { id, projectId }, select: { id: true } });
      if (!job) throw notFound("job", id);
      const rows = await db.epochMetric.findMany({ where: { jobId: id }, orderBy: { epoch: "asc" } });
      return rows.map(({ epoch, loss, accuracy, valLoss, valAccuracy, mae, valMae, learningRate, durationMs }) => ({
        epoch,
        loss,
        accuracy,
        valLoss,
        valAccuracy,
        mae,
        valMae,
        learningRate,
        durationMs,
      }));
    },
  };
}

export type JobService = ReturnType<typeof createJobService>;

/** classWeight ("balanced", or a weight by class name) as a weight per class index; a name that is no class is a 400. */
function resolveClassWeights(training: TrainingConfig, classes: { classNames: string[]; classCounts: number[] }): number[] {
  const { classWeight, loss } = training;
  const { classNames, classCounts } = classes;
  if (classWeight === undefined) return [];
  if (classNames.length === 0) throw invalid("/training/classWeight", "class weights need class labels; this dataset holds regression targets");
  if (loss !== "categoricalCrossentropy" && loss !== "sparseCategoricalCrossentropy") {
    throw invalid("/training/classWeight", `class weights weigh a softmax cross-entropy (categoricalCrossentropy or sparseCategoricalCrossentropy), not ${loss}`);
  }
  // Named first here so that the error's path names the class.
  for (const name of classWeight === "balanced" ? [] : Object.keys(classWeight)) {
    if (!classNames.includes(name)) throw invalid(`/training/classWeight/${pointerSegment(name)}`, `${JSON.stringify(name)} is not a class; the classes are ${classNames.join(", ")}`);
  }
  return classWeights(classCounts, classNames, classWeight);
}

/** What submission reads of a dataset: its shape and classes (statistics and feature names can be large). */
const datasetShape = {
  id: true,
  kind: true,
  checksum: true,
  numSamples: true,
  numFeatures: true,
  inputShape: true,
  numClasses: true,
  classNames: true,
  classCounts: true,
  labelColumn: true,
  columns: true,
  missingMarkers: true,
  decimalComma: true,
  dateOrder: true,
} as const satisfies Prisma.DatasetSelect;

/** What a job's view needs besides its row: the model's id and the status history. */
export const jobInclude = {
  resultModel: { select: { id: true } },
  events: { where: { type: { in: ["status", "change"] } }, orderBy: { id: "asc" }, select: { type: true, data: true } },
} as const satisfies Prisma.TrainingJobInclude;

/** A job row with the model's id and the status history as findJobRow reads them. */
type JobWithRelations = Omit<JobRow, "status"> & { status: JobStatus };

/** A job read by Prisma with `jobInclude`, in findJobRow's shape; `kept`: its epoch checkpoints. */
export function withRelations(
  job: TrainingJob & { resultModel: { id: string } | null; events: { type: string; data: Prisma.JsonValue }[] },
  kept: { count: number; bytes: number } = { count: 0, bytes: 0 },
): JobWithRelations {
  const dataOf = (type: string) => job.events.filter((event) => event.type === type).map((event) => event.data);
  return { ...job, resultModelId: job.resultModel?.id ?? null, history: dataOf("status"), trainingChanges: dataOf("change"), checkpointCount: kept.count, checkpointBytes: kept.bytes };
}

export function toJobView(job: JobWithRelations): JobView {
  return {
    id: job.id,
    sweepId: job.sweepId,
    fingerprint: job.fingerprint,
    name: job.name,
    description: job.description,
    tags: job.tags,
    status: job.status,
    datasetId: job.datasetId,
    model: decodeJobModel(job.spec, `job ${job.id}'s model`),
    training: decodeTrainingConfig(job.training, `job ${job.id}'s training config`),
    epoch: job.epoch,
    totalEpochs: job.totalEpochs,
    attempt: job.attempt,
    bestMetrics: job.bestMetrics === null ? null : decodeBestMetrics(job.bestMetrics, `job ${job.id}'s best metrics`),
    error: job.error === null ? null : decodeJobError(job.error, `job ${job.id}'s error`),
    resultModelId: job.resultModelId,
    cancelRequested: job.cancelRequested,
    pauseRequested: job.pauseRequested,
    verifiesModelId: job.verifiesModelId,
    verification: job.verification === null ? null : decodeVerification(job.verification, `job ${job.id}'s verification`),
    forkedFrom: job.forkedFromJobId !== null && job.forkedFromEpoch !== null ? { jobId: job.forkedFromJobId, epoch: job.forkedFromEpoch } : null,
    checkpoints: { count: job.checkpointCount, bytes: job.checkpointBytes },
    history: job.history.map((data) => decodeStatusChange(data, `a status event of job ${job.id}`)),
    trainingChanges: job.trainingChanges.map((data) => decodeTrainingChange(data, `a change event of job ${job.id}`)),
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
