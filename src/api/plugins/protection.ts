import { createHash } from "node:crypto";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";

/**
 * Security headers (helmet; its default Content-Security-Policy serves
 * Swagger UI's own files) and a per-key rate limit on /v1, counted in Redis
 * so that every API process shares it. When Redis is down the limit is
 * skipped rather than failing reads that Postgres can still answer.
 */
export async function registerProtection(
  app: FastifyInstance,
  { redis, perSecond, prefix }: { redis: Redis; perSecond: number; prefix: string },
): Promise<void> {
  // No upgrade-insecure-requests: on plain http (a LAN host, docker compose) it would break the dashboard's and Swagger UI's assets.
  await app.register(helmet, { global: true, contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  await app.register(rateLimit, {
    global: true,
    max: perSecond,
    timeWindow: 1_000,
    redis,
    nameSpace: `${prefix}:rate-limit:`,
    skipOnError: true,
    allowList: (request) => !request.url.startsWith("/v1/"),
    // Per API key (hashed: the key itself never reaches Redis), else per client address.
    keyGenerator: (request) => {
      const authorization = request.headers.authorization;
      return authorization ? `key:${createHash("sha256").update(authorization).digest("hex").slice(0, 32)}` : `ip:${request.ip}`;
    },
  });
}
