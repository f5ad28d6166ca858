// The SQL of the API's busiest job routes, each write or read one statement:
// POST /v1/jobs (a job and its first status event, within a project's limit)
// and GET /v1/jobs/:id (the job, its model's id and its status history).

import { inTransaction, sqlPool, type Database, type JobStatus, type Prisma } from "../db/client.js";
import { DescentError } from "../errors.js";

/** A job row as the job's view needs it (see toJobView in jobs.ts). */
export interface JobRow {
  id: string;
  sweepId: string | null;
  fingerprint: string | null;
  name: string | null;
  description: string;
  tags: string[];
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
  pauseRequested: boolean;
  verifiesModelId: string | null;
  verification: Prisma.JsonValue | null;
  forkedFromJobId: string | null;
  forkedFromEpoch: number | null;
  /** The epoch checkpoints kept for forks: how many, and their bytes. */
  checkpointCount: number;
  checkpointBytes: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  resultModelId: string | null;
  /** The data of the job's status events, oldest first. */
  history: Prisma.JsonValue[];
  /** The data of its change events (PATCH of its training), oldest first. */
  trainingChanges: Prisma.JsonValue[];
}

/** The job with its model's id and status history, in one statement (straight through pg: the busiest read); null when the project has no such job. */
export async function findJobRow(db: Database, projectId: string, id: string): Promise<JobRow | null> {
  const { rows } = await sqlPool(db).query<JobRow>(FIND_JOB_ROW, [id, projectId]);
  return rows[0] ?? null;
}

// Timestamps are stored without a zone, in UTC: read as timestamptz, so that pg does not take them for local times.
const FIND_JOB_ROW = `
  SELECT j."id", j."sweepId", j."fingerprint", j."name", j."description", COALESCE(j."tags", '{}') AS "tags", j."status"::text AS "status", j."datasetId", j."spec", j."training", j."epoch", j."totalEpochs", j."attempt",
    j."bestMetrics", j."error", j."cancelRequested", j."pauseRequested", j."verifiesModelId", j."verification", j."forkedFromJobId", j."forkedFromEpoch",
    j."createdAt" AT TIME ZONE 'UTC' AS "createdAt", j."startedAt" AT TIME ZONE 'UTC' AS "startedAt", j."finishedAt" AT TIME ZONE 'UTC' AS "finishedAt",
    (SELECT m."id" FROM "Model" m WHERE m."sourceJobId" = j."id") AS "resultModelId",
    kept."checkpointCount", kept."checkpointBytes",
    COALESCE((SELECT json_agg(e."data" ORDER BY e."id") FROM "JobEvent" e WHERE e."jobId" = j."id" AND e."type" = 'status'), '[]'::json) AS "history",
    COALESCE((SELECT json_agg(e."data" ORDER BY e."id") FROM "JobEvent" e WHERE e."jobId" = j."id" AND e."type" = 'change'), '[]'::json) AS "trainingChanges"
  FROM "TrainingJob" j
  CROSS JOIN LATERAL (SELECT count(*)::int AS "checkpointCount", COALESCE(sum(c."bytes"), 0)::float8 AS "checkpointBytes" FROM "EpochCheckpoint" c WHERE c."jobId" = j."id") kept
  WHERE j."id" = $1 AND j."projectId" = $2`;

export interface NewJob {
  id: string;
  /** A sweep's trial: the sweep's id. */
  sweepId: string | null;
  fingerprint: string;
  name: string | null;
  description: string;
  tags: string[];
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
 * Inserts queued jobs of one project, in order, and their first status
 * events, as long as the project stays within `maxActive` queued or running
 * jobs: the k-th job (from 1) is inserted when `active + k <= maxActive`,
 * with rank `active + k`. `active` is how many the project had before.
 * A transaction-scoped lock per project, taken in a statement of its own
 * (the insert's snapshot must start after it), keeps the count true until
 * the insert commits, so concurrent submissions get distinct ranks.
 */
export async function insertQueuedJobs(db: Database, projectId: string, jobs: NewJob[], maxActive: number): Promise<{ active: number; inserted: number }> {
  const batch = JSON.stringify(jobs.map((job) => ({ ...job, pipeline: job.pipeline ?? null, createdAt: job.createdAt.toISOString() })));
  // Straight through pg: this transaction is most of a submission's cost, and through Prisma it cost ~1 ms more CPU.
  return inTransaction(sqlPool(db), async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [projectId]);
    // A statement of its own after the lock: its snapshot sees every job committed by the lock's previous holder.
    const { rows } = await client.query<{ active: number; inserted: number }>(INSERT_QUEUED_JOBS, [projectId, batch, maxActive]);
    return rows[0];
  });
}

const INSERT_QUEUED_JOBS = `
  WITH active AS (
    SELECT count(*)::int AS n FROM "TrainingJob" WHERE "projectId" = $1 AND "status" IN ('queued', 'running')
  ), batch AS (
    SELECT b.job, (b.job->>'createdAt')::timestamp(3) AS at
    FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS b(job, k), active
    WHERE active.n + b.k <= $3::int
  ), job AS (
    INSERT INTO "TrainingJob" ("id", "sweepId", "fingerprint", "name", "description", "tags", "projectId", "status", "datasetId", "spec", "training", "pipeline", "totalEpochs", "createdAt", "updatedAt")
    SELECT job->>'id', job->>'sweepId', job->>'fingerprint', job->>'name', job->>'description', ARRAY(SELECT jsonb_array_elements_text(job->'tags')), $1, 'queued'::"JobStatus", job->>'datasetId', job->'spec', job->'training',
      NULLIF(job->'pipeline', 'null'::jsonb), (job->>'totalEpochs')::int, at, at
    FROM batch
    RETURNING "id"
  ), event AS (
    INSERT INTO "JobEvent" ("jobId", "type", "data", "createdAt")
    SELECT job->>'id', 'status', job->'submitted', at FROM batch
    RETURNING "id"
  )
  SELECT active.n AS "active", (SELECT count(*)::int FROM job) AS "inserted" FROM active`;

/**
 * In a transaction: takes the project's submission lock (the one
 * insertQueuedJobs takes) and returns the rank a job it queues gets, or throws
 * RATE_LIMITED when the project already has `maxActive` queued or running jobs.
 */
export async function reserveQueuedSlot(tx: Prisma.TransactionClient, projectId: string, maxActive: number): Promise<number> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${projectId}))`;
  const active = await tx.trainingJob.count({ where: { projectId, status: { in: ["queued", "running"] } } });
  if (active >= maxActive) throw new DescentError("RATE_LIMITED", `this project has ${active} queued or running jobs, the most it may have; wait for one to end or cancel one`);
  return active + 1;
}

/** What a job made from another (a fork, a verification) trains on: the source's dataset, model and fitted pipeline. */
export function sourceWork(source: { datasetId: string; spec: Prisma.JsonValue; pipeline: Prisma.JsonValue | null }) {
  return { datasetId: source.datasetId, spec: source.spec as Prisma.InputJsonValue, ...(source.pipeline === null ? {} : { pipeline: source.pipeline as Prisma.InputJsonValue }) };
}
