import type { FastifyInstance } from "fastify";
import { Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { MetricsSnapshot, ServiceMetrics } from "../../services/service-metrics.js";
import { problems } from "../schemas.js";

/**
 * GET /metrics in the Prometheus text format.
 * - With the admin key (operators, Prometheus): the whole service: this API
 *   process's HTTP latency and Node.js metrics, jobs by status, the queue's
 *   depth, and the last epoch of every running job.
 * - With a project's key: that project's jobs by status and its running
 *   jobs' last epochs, nothing about other projects or the process.
 *
 * Training runs in worker processes (scaled with --scale worker=N), so their
 * numbers are not read from the workers: every epoch already lands in
 * Postgres, and a scrape reads it at that moment. One scrape target, whatever
 * the number of workers, and nothing lost when a worker dies.
 */
export async function registerMetrics(app: FastifyInstance, { metrics }: { metrics: ServiceMetrics }): Promise<void> {
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry, prefix: "descent_api_" });
  const httpDuration = new Histogram({
    name: "descent_http_request_duration_seconds",
    help: "HTTP request latency, by route pattern, method and status code.",
    labelNames: ["route", "method", "status_code"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [processRegistry],
  });
  app.addHook("onResponse", async (request, reply) => {
    // The pattern (/v1/jobs/:id), never the URL, so ids do not become labels.
    const route = request.routeOptions.url ?? "unmatched";
    httpDuration.observe({ route, method: request.method, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get(
    "/metrics",
    {
      config: { access: "projectOrAdmin" },
      schema: {
        operationId: "getMetrics",
        tags: ["health"],
        summary: "Prometheus metrics",
        description:
          "The Prometheus text format. With the admin key: HTTP latency by route pattern, method and status, Node.js process metrics, " +
          "jobs by status, queue depth by state, and per running job its last epoch, that epoch's duration and samples/s, for the whole service. " +
          "With a project's key: the same job series for that project's jobs only.",
        response: {
          200: {
            description: "Metrics in the Prometheus text exposition format (0.0.4).",
            content: { "text/plain": { schema: { type: "string" }, example: '# TYPE descent_jobs gauge\ndescent_jobs{status="running"} 1\n' } },
          },
          ...problems(401, 403),
        },
      },
    },
    async (request, reply) => {
      const snapshot = await metrics.snapshot(request.isAdmin ? null : request.projectId);
      const registry = snapshotRegistry(snapshot, request.isAdmin);
      const body = request.isAdmin ? (await processRegistry.metrics()) + (await registry.metrics()) : await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
}

/** A registry holding one scrape's job and queue series (built per scrape: each scope sees its own). */
function snapshotRegistry(snapshot: MetricsSnapshot, wholeService: boolean): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, label: string) => new Gauge({ name, help, labelNames: [label], registers: [registry] });
  const scope = wholeService ? "all projects" : "this project";
  const jobs = gauge("descent_jobs", `Training jobs by status, ${scope} (Postgres, at scrape time).`, "status");
  const epoch = gauge("descent_job_epoch", "Last completed epoch of each running job.", "job_id");
  const epochSeconds = gauge("descent_job_epoch_duration_seconds", "Training time of the last completed epoch of each running job (without validation).", "job_id");
  const samplesPerSecond = gauge("descent_job_samples_per_second", "Training samples per second in the last completed epoch of each running job.", "job_id");
  const up = gauge("descent_metrics_source_up", "1 when this scrape could read this source (postgres, redis), else 0.", "source");

  up.set({ source: "postgres" }, snapshot.jobsByStatus && snapshot.runningJobs ? 1 : 0);
  for (const [status, count] of Object.entries(snapshot.jobsByStatus ?? {})) jobs.set({ status }, count);
  for (const row of snapshot.runningJobs ?? []) {
    const labels = { job_id: row.jobId };
    epoch.set(labels, row.epoch);
    epochSeconds.set(labels, row.durationMs / 1000);
    if (row.durationMs > 0) samplesPerSecond.set(labels, (row.trainSamples * 1000) / row.durationMs);
  }
  if (wholeService) {
    const queued = gauge("descent_queue_jobs", "Messages in the BullMQ training queue by state (Redis, at scrape time).", "state");
    up.set({ source: "redis" }, snapshot.queue ? 1 : 0);
    for (const [state, count] of Object.entries(snapshot.queue ?? {})) queued.set({ state }, count);
  }
  return registry;
}
