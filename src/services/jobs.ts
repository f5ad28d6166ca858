import { Prisma, type Database, type TrainingJob } from "../db/client.js";
import { newId } from "../db/ids.js";
import { DescentError, notFound } from "../errors.js";
import { enqueueTraining, type TrainingQueue } from "../queue/training-queue.js";
import type { EpochMetricView, JobInput, JobView } from "../spec/job.js";
import type { ModelSpec } from "../spec/model-spec.js";
import type { TrainingConfig } from "../spec/training-config.js";
import { checkJobFitsDataset, withTrainingDefaults } from "./job-validation.js";
import { pageOf, type Page, type PageRequest } from "./pagination.js";

type JobStatus = JobView["status"];

export function createJobService({ db, queue }: { db: Database; queue: TrainingQueue }) {
  return {
    /** Validates the spec against the dataset, stores the job, then enqueues its id. */
    async submit(input: JobInput): Promise<JobView> {
      const dataset = await db.dataset.findUnique({ where: { id: input.datasetId } });
      if (!dataset) {
        throw new DescentError("VALIDATION_FAILED", `dataset ${input.datasetId} does not exist`, [
          { path: "/datasetId", message: `dataset ${input.datasetId} does not exist` },
        ]);
      }
      const training = withTrainingDefaults(input.training);
      checkJobFitsDataset(input.model, training, dataset);

      const job = await db.trainingJob.create({
        data: {
          id: newId("job"),
          datasetId: dataset.id,
          spec: input.model as Prisma.InputJsonValue,
          training: training as Prisma.InputJsonValue,
          totalEpochs: training.epochs,
        },
        include: { resultModel: { select: { id: true } } },
      });
      try {
        await enqueueTraining(queue, job.id);
      } catch (error) {
        // Without a queue entry the job would wait forever: take it back and
        // tell the client to retry, rather than keep half a job.
        await db.trainingJob.delete({ where: { id: job.id } });
        throw new DescentError("UNAVAILABLE", "the job queue (Redis) is unavailable; nothing was created, retry shortly", undefined, {
          cause: error,
        });
      }
      return toJobView(job);
    },

    async get(id: string): Promise<JobView> {
      const job = await db.trainingJob.findUnique({ where: { id }, include: { resultModel: { select: { id: true } } } });
      if (!job) throw notFound("job", id);
      return toJobView(job);
    },

    async list(page: PageRequest & { status?: JobStatus }): Promise<Page<JobView>> {
      const rows = await db.trainingJob.findMany({
        where: { ...(page.status ? { status: page.status } : {}), ...(page.cursor ? { id: { lt: page.cursor } } : {}) },
        orderBy: { id: "desc" },
        take: page.limit + 1,
        include: { resultModel: { select: { id: true } } },
      });
      return pageOf(rows.map(toJobView), page.limit);
    },

    async metrics(id: string): Promise<EpochMetricView[]> {
      const job = await db.trainingJob.findUnique({ where: { id }, select: { id: true } });
      if (!job) throw notFound("job", id);
      const rows = await db.epochMetric.findMany({ where: { jobId: id }, orderBy: { epoch: "asc" } });
      return rows.map(({ epoch, loss, accuracy, valLoss, valAccuracy, learningRate, durationMs }) => ({
        epoch,
        loss,
        accuracy,
        valLoss,
        valAccuracy,
        learningRate,
        durationMs,
      }));
    },
  };
}

export type JobService = ReturnType<typeof createJobService>;

export function toJobView(job: TrainingJob & { resultModel: { id: string } | null }): JobView {
  return {
    id: job.id,
    status: job.status,
    datasetId: job.datasetId,
    model: job.spec as unknown as ModelSpec,
    training: job.training as unknown as TrainingConfig,
    epoch: job.epoch,
    totalEpochs: job.totalEpochs,
    attempt: job.attempt,
    bestMetrics: (job.bestMetrics ?? null) as JobView["bestMetrics"],
    error: (job.error ?? null) as JobView["error"],
    resultModelId: job.resultModel?.id ?? null,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
