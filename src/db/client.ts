import { PrismaPg } from "@prisma/adapter-pg";
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

export function createDatabase(databaseUrl: string, { poolSize = 10, statementTimeoutMs = 15_000 }: DatabaseOptions = {}) {
  const adapter = new PrismaPg({
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
  return new PrismaClient({ adapter, omit: omitBlobs });
}

export type Database = ReturnType<typeof createDatabase>;
export { Prisma } from "./generated/client.js";
export type { Dataset, TrainingJob, EpochMetric, Model, JobStatus } from "./generated/client.js";
