import type { FastifyInstance, FastifyRequest } from "fastify";
import { DescentError } from "../../errors.js";

/** Unknown keys one client address may send per minute before its requests stop reaching Postgres. */
export const AUTH_FAILURES_PER_MINUTE = 30;

export interface AuthFailureLimiter {
  /** Throws 429 (with Retry-After) while this address has sent too many unknown keys. */
  assertNotBlocked(request: FastifyRequest): Promise<void>;
  /** Counts one unknown key from this address. */
  record(request: FastifyRequest): Promise<void>;
}

/**
 * Counts, per client address and in Redis (shared by every API process),
 * the requests whose key turned out unknown, so that a flood of made-up keys
 * costs one Redis read each rather than a Postgres lookup. Valid keys are
 * never counted. Needs @fastify/rate-limit registered on `app`.
 */
export function createAuthFailureLimiter(app: FastifyInstance, { perMinute = AUTH_FAILURES_PER_MINUTE } = {}): AuthFailureLimiter {
  const counter = app.createRateLimit({
    keyGenerator: (request) => `auth-failures:${request.ip}`,
    max: perMinute,
    timeWindow: 60_000,
    skipOnError: true,
  });
  return {
    async assertNotBlocked(request) {
      const state = await counter(request, { increment: false });
      if (state.isAllowed || state.remaining > 0) return;
      throw new DescentError("RATE_LIMITED", `too many unknown API keys from this address; retry in ${state.ttlInSeconds} s`, undefined, {
        retryAfterSeconds: Math.max(1, state.ttlInSeconds),
      });
    },
    async record(request) {
      await counter(request);
    },
  };
}
