import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../../src/db/client.js";
import { newId } from "../../src/db/ids.js";
import { DEFAULT_PROJECT_ID } from "../../src/services/projects.js";
import { insertQueuedJobs, type NewJob } from "../../src/services/job-queries.js";
import { createJobInsertBatches } from "../../src/services/job-insert-batches.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// POST /v1/jobs writes a job and its first event in one statement and answers
// without reading the job back: the answer must still be what GET reads, and
// concurrent submissions must still meet the project's cap with distinct ranks,
// within one API process (batched) and across processes (a lock in Postgres).

let ctx: TestContext;
let datasetId: string;
const CAP = 5;

beforeAll(async () => {
  ctx = await createTestContext({ configEnv: { RATE_LIMIT_PER_SECOND: "1000", MAX_ACTIVE_JOBS_PER_PROJECT: String(CAP) } });
  const features = Array.from({ length: 40 }, (_, i) => [i % 2, (i >> 1) % 2]);
  const labels = features.map(([a, b], i) => (a ^ b || i % 5 === 0 ? "yes" : "no"));
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features, labels } })).json().id;
});
afterAll(async () => {
  await ctx?.close();
});

const model = { layers: [{ type: "dense", units: 4, activation: "relu" }, { type: "dense", units: 2, activation: "softmax" }] };
const training = { epochs: 2, batchSize: 10, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, classWeight: "balanced" };
const submit = () => ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: { datasetId, model, training } });

describe("POST /v1/jobs", () => {
  it("answers with the job exactly as GET /v1/jobs/:id and the list read it back", async () => {
    const submitted = await submit();
    expect(submitted.statusCode).toBe(202);
    const job = submitted.json();
    expect(job).toMatchObject({ status: "queued", epoch: 0, totalEpochs: 2, attempt: 0, resultModelId: null, model: { inputShape: [2] } });
    expect(job.training.classWeights).toHaveLength(2);
    expect(job.history).toEqual([{ status: "queued", at: job.createdAt, message: "submitted" }]);
    const read = await ctx.app.inject({ url: `/v1/jobs/${job.id}` });
    expect(read.json()).toEqual(job);
    expect((await ctx.app.inject({ url: "/v1/jobs?limit=1" })).json().data[0]).toEqual(job);
    await ctx.app.inject({ method: "POST", url: `/v1/jobs/${job.id}/cancel` });
  });

  it("caps concurrent submissions at the project's limit, each accepted one with a rank of its own", async () => {
    const answers = await Promise.all(Array.from({ length: CAP + 3 }, submit));
    const accepted = answers.filter((answer) => answer.statusCode === 202).map((answer) => answer.json().id as string);
    expect(accepted).toHaveLength(CAP);
    expect(answers.filter((answer) => answer.statusCode === 429)).toHaveLength(3);
    expect(await ctx.db.trainingJob.count({ where: { status: "queued" } })).toBe(CAP);
    const priorities = await Promise.all(accepted.map(async (id) => (await ctx.queue.getJob(id))!.opts.priority));
    expect(priorities.sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("inserting queued jobs", () => {
  const newJob = (datasetId_ = datasetId): NewJob => {
    const createdAt = new Date();
    return { id: newId("job"), sweepId: null, fingerprint: "test", name: null, description: "", tags: [], datasetId: datasetId_, spec: model, training, pipeline: null, totalEpochs: 2, submitted: { status: "queued", at: createdAt.toISOString(), message: "submitted" }, createdAt };
  };
  const active = () => ctx.db.trainingJob.count({ where: { projectId: DEFAULT_PROJECT_ID, status: { in: ["queued", "running"] } } });

  it("keeps the cap and distinct ranks when several processes insert batches at once", async () => {
    const before = await active();
    const cap = before + 7;
    const processes = [createDatabase(ctx.databaseUrl), createDatabase(ctx.databaseUrl)];
    try {
      const batches = Array.from({ length: 4 }, () => [newJob(), newJob(), newJob()]);
      const results = await Promise.all(batches.map((jobs, i) => insertQueuedJobs(processes[i % 2], DEFAULT_PROJECT_ID, jobs, cap)));
      expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(7);
      const ranks = results.flatMap((r) => Array.from({ length: r.inserted }, (_, k) => r.active + k + 1));
      expect(ranks.sort((a, b) => a - b)).toEqual(Array.from({ length: 7 }, (_, k) => before + k + 1));
      expect(await active()).toBe(cap);
      // Each inserted job has its first status event.
      const ids = batches.flat().map((job) => job.id);
      expect(await ctx.db.jobEvent.count({ where: { jobId: { in: ids }, type: "status" } })).toBe(7);
    } finally {
      await Promise.all(processes.map((db) => db.$disconnect()));
    }
  });

  it("fails only the job the database refuses when it shares a transaction with others", async () => {
    const batches = createJobInsertBatches(ctx.db, 100_000);
    const [first, refused, third] = await Promise.allSettled([
      batches.insert(DEFAULT_PROJECT_ID, newJob()), // goes at once, alone
      batches.insert(DEFAULT_PROJECT_ID, newJob("ds_missing")), // these two wait and go together
      batches.insert(DEFAULT_PROJECT_ID, newJob()),
    ]);
    expect(first).toMatchObject({ status: "fulfilled", value: { inserted: true } });
    expect(refused.status).toBe("rejected");
    expect(third).toMatchObject({ status: "fulfilled", value: { inserted: true } });
    const ranks = [first, third].map((outcome) => (outcome as PromiseFulfilledResult<{ rank: number }>).value.rank);
    expect(ranks[1]).toBe(ranks[0] + 1);
  });
});
