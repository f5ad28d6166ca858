import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Redis } from "ioredis";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import { loggerOptions } from "../logger.js";
import type { TrainingQueue } from "../queue/training-queue.js";
import { createDatasetService } from "../services/datasets.js";
import { createJobService } from "../services/jobs.js";
import { createModelService } from "../services/models.js";
import { registerOpenApi } from "./plugins/openapi.js";
import { installProblemHandler } from "./plugins/problem.js";
import { installValidators } from "./plugins/validation.js";
import { datasetRoutes } from "./routes/datasets.js";
import { healthRoutes } from "./routes/health.js";
import { jobRoutes } from "./routes/jobs.js";
import { modelRoutes } from "./routes/models.js";

export interface AppDependencies {
  config: Pick<Config, "bodyLimit" | "datasetBodyLimit" | "predictBodyLimit" | "logLevel">;
  db: Database;
  /** The producer side of the training queue. */
  queue: TrainingQueue;
  /** A Redis connection for readiness checks. */
  redis: Redis;
  /** false silences request logs (tests). @defaultValue true */
  logging?: boolean;
}

/** Builds the API without listening, so tests can inject requests or listen on a port of their choosing. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, db, queue, redis } = deps;
  const app = Fastify({
    logger: deps.logging === false ? false : loggerOptions(config.logLevel, "api"),
    bodyLimit: config.bodyLimit,
    requestTimeout: 120_000,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    ajv: { customOptions: { coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installValidators(app);
  installProblemHandler(app);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  await registerOpenApi(app);

  const datasets = createDatasetService({ db });
  const jobs = createJobService({ db, queue });
  const models = createModelService({ db });

  await app.register(healthRoutes, {
    probe: {
      postgres: async () => void (await db.$queryRaw`select 1`),
      redis: async () => void (await redis.ping()),
    },
  });
  await app.register(datasetRoutes, { datasets, bodyLimit: config.datasetBodyLimit });
  await app.register(jobRoutes, { jobs });
  await app.register(modelRoutes, { models, predictBodyLimit: config.predictBodyLimit });
  return app;
}
