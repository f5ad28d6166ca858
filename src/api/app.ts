import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { fastifySSE } from "@fastify/sse";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Redis } from "ioredis";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import { loggerOptions } from "../logger.js";
import { trainingQueuePort, type TrainingQueue } from "../queue/training-queue.js";
import { redisJobSignals } from "../queue/job-event-channel.js";
import { redisRevocationSignal } from "../queue/key-revocations.js";
import { createJobEventHub } from "../queue/job-event-hub.js";
import { createJobEventStream } from "../services/job-event-stream.js";
import { createDatasetService } from "../services/datasets.js";
import { createJobService } from "../services/jobs.js";
import { createModelService, type PredictionRunner } from "../services/models.js";
import { createRegistryService } from "../services/registry.js";
import { createWebhookService } from "../services/webhooks.js";
import { createSweepService } from "../services/sweeps.js";
import { registerOpenApi } from "./plugins/openapi.js";
import { installProblemHandler } from "./plugins/problem.js";
import { OneLinePerRequest } from "./plugins/request-log.js";
import { installSerializer } from "./plugins/serialization.js";
import { installValidators } from "./plugins/validation.js";
import { installNulGuard } from "./plugins/nul-guard.js";
import { datasetRoutes } from "./routes/datasets.js";
import { healthRoutes } from "./routes/health.js";
import { jobRoutes } from "./routes/jobs.js";
import { projectRoutes } from "./routes/projects.js";
import { installAuth } from "./plugins/auth.js";
import { installKeyRateLimit, registerProtection } from "./plugins/protection.js";
import { createAuthFailureLimiter } from "./plugins/auth-failures.js";
import { createProjectService } from "../services/projects.js";
import { createIdempotency } from "../services/idempotency.js";
import { jobEventRoutes } from "./routes/job-events.js";
import { modelRoutes } from "./routes/models.js";
import { registeredModelRoutes } from "./routes/registered-models.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { sweepRoutes } from "./routes/sweeps.js";
import { sweepEventRoutes } from "./routes/sweep-events.js";
import { datasetSampleRoutes } from "./routes/dataset-samples.js";
import { createDatasetSampleService } from "../services/dataset-samples.js";
import { registerDashboard } from "./plugins/dashboard.js";
import { registerBullBoard } from "./plugins/bull-board.js";
import { registerMetrics } from "./plugins/metrics.js";
import { createServiceMetrics } from "../services/service-metrics.js";
import { documentCommonResponses } from "./plugins/common-responses.js";

export interface AppDependencies {
  config: Pick<Config, "bodyLimit" | "datasetBodyLimit" | "predictBodyLimit" | "logLevel" | "queuePrefix" | "auth" | "adminKey" | "limits" | "apiKeyCacheTtlMs" | "webhooks">;
  db: Database;
  /** The producer side of the training queue. */
  queue: TrainingQueue;
  /** A Redis connection for readiness checks and publishing (the queue's). */
  redis: Redis;
  /** A Redis connection in subscriber mode, for following jobs' events. */
  subscriber: Redis;
  /** Where predictions run (off the event loop): src/prediction's thread pool. */
  predictions: PredictionRunner;
  /** false silences request logs (tests). @defaultValue true */
  logging?: boolean;
}

/** Builds the API without listening, so tests can inject requests or listen on a port of their choosing. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, db, queue, redis, subscriber, predictions } = deps;
  const app = Fastify({
    logger: deps.logging === false ? false : loggerOptions(config.logLevel, "api"),
    bodyLimit: config.bodyLimit,
    requestTimeout: 120_000,
    requestIdHeader: "x-request-id",
    logController: new OneLinePerRequest(),
    genReqId: () => randomUUID(),
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    ajv: { customOptions: { coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installValidators(app);
  installSerializer(app);
  installProblemHandler(app);
  installNulGuard(app);
  await registerProtection(app, { redis, prefix: config.queuePrefix });
  const projects = createProjectService({ db, revocations: redisRevocationSignal(redis, config.queuePrefix), keyCacheTtlMs: config.apiKeyCacheTtlMs });
  if (config.auth === "off") await projects.ensureDefaultProject();
  installAuth(app, { mode: config.auth, adminKey: config.adminKey, projects, failures: createAuthFailureLimiter(app) });
  installKeyRateLimit(app, { perSecond: config.limits.rateLimitPerSecond });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  await registerOpenApi(app);
  documentCommonResponses(app); // 401/403/429/400 problem responses in every later route's OpenAPI entry
  await registerMetrics(app, { metrics: createServiceMetrics({ db, queue }) }); // GET /metrics, and the latency of every route after this line
  await app.register(fastifySSE, { heartbeatInterval: 15_000 });

  const datasets = createDatasetService({ db, maxRows: config.limits.maxDatasetRows });
  const jobs = createJobService({
    db,
    queue: trainingQueuePort(queue),
    limits: config.limits,
    signals: redisJobSignals(redis, config.queuePrefix),
    probe: predictions,
  });
  const stream = createJobEventStream({ db, hub: createJobEventHub(subscriber, config.queuePrefix) });
  const models = createModelService({ db, runner: predictions, maxPredictFlops: config.limits.maxPredictFlops });

  await app.register(healthRoutes, {
    probe: {
      postgres: async () => void (await db.$queryRaw`select 1`),
      redis: async () => void (await redis.ping()),
    },
  });
  const idempotency = createIdempotency({ db });
  await app.register(datasetRoutes, { datasets, idempotency, bodyLimit: config.datasetBodyLimit });
  await app.register(projectRoutes, { projects });
  await app.register(jobRoutes, { jobs, idempotency });
  await app.register(jobEventRoutes, { stream, maxPerProject: config.limits.maxEventStreamsPerProject });
  await app.register(modelRoutes, { models, predictBodyLimit: config.predictBodyLimit });
  const sweeps = createSweepService({ db, jobs });
  await app.register(sweepRoutes, { sweeps });
  await app.register(sweepEventRoutes, { sweeps });
  await app.register(webhookRoutes, { webhooks: createWebhookService({ db, allowPrivate: config.webhooks.allowPrivateAddresses }) });
  await app.register(registeredModelRoutes, { registry: createRegistryService({ db }), models, predictBodyLimit: config.predictBodyLimit });
  await app.register(datasetSampleRoutes, { samples: createDatasetSampleService({ db }) });
  await registerDashboard(app);
  await registerBullBoard(app, { queues: [queue], adminKey: config.adminKey, redis, prefix: config.queuePrefix });
  return app;
}
