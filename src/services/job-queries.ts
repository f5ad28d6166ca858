// The SQL of the API's busiest job routes, each write or read one statement:
// POST /v1/jobs (a job and its first status event, within a project's limit)
// and GET /v1/jobs/:id (the job, its model's id and its status history).

import type { Database, JobStatus, Prisma } from "../db/client.js";

/** A job row as the job's view needs it (see toJobView in jobs.ts). */
export interface JobRow {
  id: string;
  status: JobStatus;
  datasetId: string;
  spec: Prisma.JsonValue;
  training: Prisma.JsonValue;
  epoch: number;
  totalEpochs: number;
  attempt: number;
  bestMetrics: Prisma.JsonValue | null;
  error: Prisma.JsonValue | null;
  cancelRequested: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  resultModelId: string | null;
  /** The data of the job's status events, oldest first. */
  history: Prisma.JsonValue[];
}

/** The job with its model's id and status history, in one statement; null when the project has no such job. */
export async function findJobRow(db: Database, projectId: string, id: string): Promise<JobRow | null> {
  const rows = await db.$queryRaw<JobRow[]>`
    SELECT j."id", j."status"::text AS "status", j."datasetId", j."spec", j."training", j."epoch", j."totalEpochs", j."attempt",
      j."bestMetrics", j."error", j."cancelRequested", j."createdAt", j."startedAt", j."finishedAt",
      (SELECT m."id" FROM "Model" m WHERE m."sourceJobId" = j."id") AS "resultModelId",
      COALESCE((SELECT json_agg(e."data" ORDER BY e."id") FROM "JobEvent" e WHERE e."jobId" = j."id" AND e."type" = 'status'), '[]'::json) AS "history"
    FROM "TrainingJob" j
    WHERE j."id" = ${id} AND j."projectId" = ${projectId}`;
  return rows[0] ?? null;
}

export interface NewJob {
  id: string;
  projectId: string;
  datasetId: string;
  spec: unknown;
  training: unknown;
  pipeline: unknown | null;
  totalEpochs: number;
  /** The data of its first status event. */
  submitted: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Inserts a queued job and its first status event unless the project already
 * has `maxActive` queued or running jobs. `active` is how many it had before.
 * A transaction-scoped lock per project, taken in a statement of its own
 * (the insert's snapshot must start after it), makes the count true until
 * the insert commits, so concurrent submissions get distinct ranks.
 */
export async function insertQueuedJob(db: Database, job: NewJob, maxActive: number): Promise<{ active: number; inserted: boolean }> {
  const [, rows] = await db.$transaction([
    db.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${job.projectId}))`,
    db.$queryRaw<{ active: number; inserted: boolean }[]>`
      WITH active AS (
        SELECT count(*)::int AS n FROM "TrainingJob" WHERE "projectId" = ${job.projectId} AND "status" IN ('queued', 'running')
      ), job AS (
        INSERT INTO "TrainingJob" ("id", "projectId", "status", "datasetId", "spec", "training", "pipeline", "totalEpochs", "createdAt", "updatedAt")
        SELECT ${job.id}, ${job.projectId}, 'queued'::"JobStatus", ${job.datasetId}, ${JSON.stringify(job.spec)}::jsonb, ${JSON.stringify(job.training)}::jsonb,
          ${job.pipeline === null ? null : JSON.stringify(job.pipeline)}::jsonb, ${job.totalEpochs}, ${job.createdAt}::timestamp(3), ${job.createdAt}::timestamp(3)
        FROM active WHERE active.n < ${maxActive}
        RETURNING "id"
      ), event AS (
        INSERT INTO "JobEvent" ("jobId", "type", "data", "createdAt")
        SELECT job."id", 'status', ${JSON.stringify(job.submitted)}::jsonb, ${job.createdAt}::timestamp(3) FROM job
        RETURNING "id"
      )
      SELECT active.n AS "active", EXISTS (SELECT 1 FROM event) AS "inserted" FROM active`,
  ]);
  return rows[0];
}
