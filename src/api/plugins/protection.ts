import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import { DescentError } from "../../errors.js";
import { accessOf } from "./auth.js";

/**
 * Security headers (helmet; its default Content-Security-Policy serves
 * Swagger UI's own files) and @fastify/rate-limit, counted in Redis so that
 * every API process shares the counts. No route is limited by the plugin
 * itself (`global: false`): routes opt in with `config.rateLimit`, and
 * `installKeyRateLimit` limits authenticated requests once auth has run.
 * When Redis is down the limits are skipped rather than failing reads that
 * Postgres can still answer.
 */
export async function registerProtection(app: FastifyInstance, { redis, prefix }: { redis: Redis; prefix: string }): Promise<void> {
  // No upgrade-insecure-requests: on plain http (a LAN host, docker compose) it would break the dashboard's and Swagger UI's assets.
  await app.register(helmet, { global: true, contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  await app.register(rateLimit, { global: false, redis, nameSpace: `${prefix}:rate-limit:`, skipOnError: true });
}

/**
 * `perSecond` requests per second per API key on every route that needs a
 * key, keyed on the key's id as auth resolved it, so that re-spelling the
 * Authorization header (case, spaces) does not make a new bucket. Must be
 * installed after auth (hooks run in the order they are added).
 */
export function installKeyRateLimit(app: FastifyInstance, { perSecond }: { perSecond: number }): void {
  const check = app.createRateLimit({ keyGenerator: bucketOf, max: perSecond, timeWindow: 1_000, skipOnError: true });
  app.addHook("onRequest", async (request, reply) => {
    if (request.is404 || accessOf(request.routeOptions.config) === "public") return;
    const limit = await check(request);
    if (limit.isAllowed) return;
    reply.header("x-ratelimit-limit", limit.max).header("x-ratelimit-remaining", limit.remaining).header("x-ratelimit-reset", limit.ttlInSeconds);
    if (limit.isExceeded) {
      throw new DescentError("RATE_LIMITED", `more than ${limit.max} requests per second with this key; retry in ${limit.ttlInSeconds} s`, undefined, {
        retryAfterSeconds: Math.max(1, limit.ttlInSeconds),
      });
    }
  });
}

function bucketOf(request: FastifyRequest): string {
  if (request.apiKeyId) return `key:${request.apiKeyId}`;
  if (request.isAdmin) return "admin";
  return `ip:${request.ip}`; // DESCENT_AUTH=off
}
