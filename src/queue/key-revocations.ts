import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { RevocationSignal } from "../services/verified-key-cache.js";

/**
 * API-key revocations as one Redis value shared by every API process: each
 * revocation sets it to a new random value (never a counter, which a lost or
 * deleted key could bring back to a value a process has already seen).
 */
export function redisRevocationSignal(redis: Redis, prefix: string): RevocationSignal {
  const key = `${prefix}:api-key-revocation`;
  return {
    current: () => redis.get(key),
    announce: async () => void (await redis.set(key, randomUUID())),
  };
}
