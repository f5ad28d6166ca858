import { Redis } from "ioredis";
import pg from "pg";
import { describeEndpoint, type Config } from "./config.js";

/**
 * Checks that Postgres and Redis answer before a process starts work. Returns
 * one line per service that does not, each with the fix, or [] when both do.
 */
export async function checkBackingServices(config: Pick<Config, "databaseUrl" | "redisUrl">): Promise<string[]> {
  const [postgres, redis] = await Promise.all([checkPostgres(config.databaseUrl), checkRedis(config.redisUrl)]);
  return [postgres, redis].filter((line): line is string => line !== null);
}

async function checkPostgres(databaseUrl: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (error) {
    const endpoint = describeEndpoint(databaseUrl);
    const code = (error as { code?: string }).code;
    if (code === "3D000") return `Postgres at ${endpoint} has no database ${new URL(databaseUrl).pathname.slice(1)}: run npm run db:migrate (it creates it), or set DATABASE_URL`;
    return `cannot reach Postgres at ${endpoint} (${reason(error)}): start it (docker compose up -d postgres) or set DATABASE_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkRedis(redisUrl: string): Promise<string | null> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    return `cannot reach Redis at ${describeEndpoint(redisUrl)} (${reason(error)}): start it (docker compose up -d redis) or set REDIS_URL`;
  } finally {
    redis.disconnect();
  }
}

function reason(error: unknown): string {
  const err = error as { code?: string; message?: string };
  return err.code ?? err.message ?? String(error);
}
