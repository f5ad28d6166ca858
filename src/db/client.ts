import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.js";

// Blobs are omitted from every query by default; the few places that need
// them ask with `omit: { features: false }`. This keeps lists and reads cheap.
const omitBlobs = {
  dataset: { features: true, labels: true },
  model: { weights: true },
} as const;

export function createDatabase(databaseUrl: string, { poolSize = 10 }: { poolSize?: number } = {}) {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: poolSize,
    // pg's default (0) waits forever for a pooled connection; fail instead.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  return new PrismaClient({ adapter, omit: omitBlobs });
}

export type Database = ReturnType<typeof createDatabase>;
export { Prisma } from "./generated/client.js";
export type { Dataset, TrainingJob, EpochMetric, Model, JobStatus } from "./generated/client.js";
