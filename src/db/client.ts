import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client.js";

// Blobs are omitted from every query by default; the few places that need
// them ask with `omit: { features: false }`. This keeps lists and reads cheap.
const omitBlobs = {
  dataset: { features: true, labels: true, table: true },
  model: { weights: true },
} as const;

export interface DatabaseOptions {
  /** Connections in the pool. @defaultValue 10 */
  poolSize?: number;
  /**
   * Longest a statement may run on the server (statement_timeout); the
   * client gives up 5 s later (query_timeout) if the server or the network
   * stalls. A wait for a pooled connection ends after 5 s. @defaultValue 15000
   */
  statementTimeoutMs?: number;
}

/** The pg pool under each database client, for the few hot statements sent without Prisma (see sqlPool). */
const pools = new WeakMap<object, pg.Pool>();

export function createDatabase(databaseUrl: string, { poolSize = 10, statementTimeoutMs = 15_000 }: DatabaseOptions = {}) {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    // pg's default (0) waits forever for a pooled connection; fail instead.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeoutMs,
    // lock waits count against the statement's time; a row locked elsewhere must not hold a request longer.
    lock_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 5_000,
  });
  // An idle connection that the server ends (a restart, a dropped database) is removed from the pool, and the next
  // query opens another: not an error of the process (without a listener, pg's pool would raise it as uncaught).
  pool.on("error", () => undefined);
  // Prisma ends the pool when the client disconnects.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }), omit: omitBlobs });
  pools.set(client, pool);
  return client;
}

/**
 * The client's own pg pool (the same connections and timeouts), for the
 * statements on the hottest paths: a statement through Prisma costs about
 * 0.3-0.5 ms of CPU more than through pg, and a transaction of two ~1 ms more
 * (measured here), which is most of a job submission's cost.
 */
export function sqlPool(db: Database): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error("not a client from createDatabase");
  return pool;
}

export type Database = ReturnType<typeof createDatabase>;
export { Prisma } from "./generated/client.js";
export type { Dataset, TrainingJob, EpochMetric, Model, JobStatus } from "./generated/client.js";

/** Runs `work` in a transaction on one of the pool's connections: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollback: Error) => (broken = rollback));
    throw error;
  } finally {
    // A connection that could not even roll back is dropped, not reused.
    client.release(broken);
  }
}
