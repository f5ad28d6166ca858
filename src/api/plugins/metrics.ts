import type { FastifyInstance } from "fastify";
import { Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Database } from "../../db/client.js";
import type { TrainingQueue } from "../../queue/training-queue.js";
import { problems } from "../schemas.js";

const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;

/**
 * GET /metrics in the Prometheus text format, for any valid API key.
 *
 * Training runs in worker processes (scaled with --scale worker=N), so their
 * numbers are not read from the workers: every epoch already lands in
 * Postgres, and a scrape reads the jobs by status, the last epoch of every
 * running job (its durationMs and the samples/s it implies) and BullMQ's
 * queue counts at that moment. One scrape target, whatever the number of
 * workers, and nothing lost when a worker dies. HTTP latency is this API
 * process's own (one target per API process).
 */
export async function registerMetrics(app: FastifyInstance, { db, queue }: { db: Database; queue: TrainingQueue }): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "descent_api_" });

  const httpDuration = new Histogram({
    name: "descent_http_request_duration_seconds",
    help: "HTTP request latency, by route pattern, method and status code.",
    labelNames: ["route", "method", "status_code"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook("onResponse", async (request, reply) => {
    // The pattern (/v1/jobs/:id), never the URL, so ids do not become labels.
    const route = request.routeOptions.url ?? "unmatched";
    httpDuration.observe({ route, method: request.method, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  const gauge = (name: string, help: string, label: string) => new Gauge({ name, help, labelNames: [label], registers: [registry] });
  const jobs = gauge("descent_jobs", "Training jobs by status, all projects (Postgres, at scrape time).", "status");
  const queued = gauge("descent_queue_jobs", "Messages in the BullMQ training queue by state (Redis, at scrape time).", "state");
  const epoch = gauge("descent_job_epoch", "Last completed epoch of each running job.", "job_id");
  const epochSeconds = gauge("descent_job_epoch_duration_seconds", "Training time of the last completed epoch of each running job (without validation).", "job_id");
  const samplesPerSecond = gauge("descent_job_samples_per_second", "Training samples per second in the last completed epoch of each running job.", "job_id");

  const up = gauge("descent_metrics_source_up", "1 when the last scrape could read this source (postgres, redis), else 0.", "source");

  /** Reads Postgres and the queue once per scrape and sets the gauges from that snapshot; a source that is down leaves its gauges empty. */
  async function refresh(): Promise<void> {
    const [byStatus, counts, running] = await Promise.allSettled([
      db.trainingJob.groupBy({ by: ["status"], _count: { _all: true } }),
      queue.getJobCounts("waiting", "active", "delayed", "prioritized", "failed", "completed"),
      lastEpochsOfRunningJobs(db),
    ]);
    for (const g of [jobs, queued, epoch, epochSeconds, samplesPerSecond]) g.reset();
    up.set({ source: "postgres" }, byStatus.status === "fulfilled" && running.status === "fulfilled" ? 1 : 0);
    up.set({ source: "redis" }, counts.status === "fulfilled" ? 1 : 0);
    if (byStatus.status === "fulfilled") {
      for (const status of JOB_STATUSES) jobs.set({ status }, 0);
      for (const row of byStatus.value) jobs.set({ status: row.status }, row._count._all);
    }
    if (counts.status === "fulfilled") for (const [state, count] of Object.entries(counts.value)) queued.set({ state }, count);
    for (const row of running.status === "fulfilled" ? running.value : []) {
      const labels = { job_id: row.jobId };
      epoch.set(labels, row.epoch);
      epochSeconds.set(labels, row.durationMs / 1000);
      if (row.durationMs > 0) samplesPerSecond.set(labels, (row.trainSamples * 1000) / row.durationMs);
    }
  }

  app.get(
    "/metrics",
    {
      config: { requiresKey: true },
      schema: {
        tags: ["health"],
        summary: "Prometheus metrics",
        description:
          "The Prometheus text format: HTTP latency by route pattern, method and status; jobs by status; queue depth by state; " +
          "per running job the last epoch, its duration and samples/s. Needs any valid API key.",
        response: {
          200: {
            description: "Metrics in the Prometheus text exposition format (0.0.4).",
            content: { "text/plain": { schema: { type: "string" }, example: '# TYPE descent_jobs gauge\ndescent_jobs{status="running"} 1\n' } },
          },
          ...problems(401, 403),
        },
      },
    },
    async (_request, reply) => {
      await refresh();
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
}

async function lastEpochsOfRunningJobs(db: Database) {
  const jobs = await db.trainingJob.findMany({
    where: { status: "running" },
    select: { id: true, training: true, dataset: { select: { numSamples: true } }, metrics: { orderBy: { epoch: "desc" }, take: 1, select: { epoch: true, durationMs: true } } },
  });
  return jobs.flatMap((job) => {
    const last = job.metrics[0];
    if (!last) return [];
    const split = Number((job.training as { validationSplit?: number } | null)?.validationSplit ?? 0);
    const trainSamples = job.dataset.numSamples - Math.round(job.dataset.numSamples * split);
    return [{ jobId: job.id, epoch: last.epoch, durationMs: last.durationMs, trainSamples }];
  });
}

