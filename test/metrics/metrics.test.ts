import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, testAdminKey, type TestContext } from "../helpers/context.js";

// GET /metrics on the API built in process, with keys required, real
// Postgres and Redis: latency by route pattern, jobs by status and queue
// depth read at scrape time, and the last epoch of running jobs from Postgres;
// the whole service for the admin key, one project's jobs for a project key.

let ctx: TestContext;
let key: string;
let otherKey: string;

beforeAll(async () => {
  ctx = await createTestContext({ auth: "on" });
  const project = async (name: string) =>
    (await ctx.app.inject({ method: "POST", url: "/v1/projects", headers: { authorization: `Bearer ${testAdminKey}` }, payload: { name } })).json().apiKey as string;
  key = await project("metrics");
  otherKey = await project("other");
});
afterAll(async () => ctx?.close());

const auth = () => ({ authorization: `Bearer ${key}` });
async function scrape(bearer = testAdminKey) {
  const res = await ctx.app.inject({ method: "GET", url: "/metrics", headers: { authorization: `Bearer ${bearer}` } });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
}
/** The value of one sample line, e.g. sample(text, 'descent_jobs{status="queued"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /metrics", () => {
  it("needs a valid API key", async () => {
    expect((await ctx.app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: "GET", url: "/metrics", headers: { authorization: "Bearer dsk_nope" } })).statusCode).toBe(401);
  });

  it("has HTTP latency histograms labelled by route pattern, method and status", async () => {
    await ctx.app.inject({ method: "GET", url: "/v1/jobs/job_missing", headers: auth() });
    await ctx.app.inject({ method: "GET", url: "/health/live" });
    const text = await scrape();
    expect(text).toContain("# TYPE descent_http_request_duration_seconds histogram");
    expect(sample(text, 'descent_http_request_duration_seconds_count{route="/v1/jobs/:id",method="GET",status_code="404"}')).toBe(1);
    expect(sample(text, 'descent_http_request_duration_seconds_count{route="/health/live",method="GET",status_code="200"}')).toBe(1);
    expect(text).not.toContain("job_missing");
  });

  it("counts jobs by status and the queue by state, and reports the last epoch of running jobs", async () => {
    const dataset = await ctx.app.inject({
      method: "POST",
      url: "/v1/datasets",
      headers: auth(),
      payload: { name: "xor", features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: ["no", "yes", "yes", "no"] },
    });
    const spec = {
      datasetId: dataset.json().id,
      model: { inputShape: [2], layers: [{ type: "dense", units: 2, activation: "softmax" }] },
      training: { epochs: 5, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 }, validationSplit: 0.25 },
    };
    const first = (await ctx.app.inject({ method: "POST", url: "/v1/jobs", headers: auth(), payload: spec })).json();
    await ctx.app.inject({ method: "POST", url: "/v1/jobs", headers: auth(), payload: spec });

    let text = await scrape();
    expect(sample(text, 'descent_jobs{status="queued"}')).toBe(2);
    expect(sample(text, 'descent_jobs{status="succeeded"}')).toBe(0);
    expect(sample(text, 'descent_queue_jobs{state="prioritized"}')).toBe(2);
    expect(sample(text, 'descent_metrics_source_up{source="postgres"}')).toBe(1);

    // As a worker would record it: the job runs and its first epoch took 0.5 s on 3 of the 4 samples.
    await ctx.db.trainingJob.update({ where: { id: first.id }, data: { status: "running", epoch: 1 } });
    await ctx.db.epochMetric.create({ data: { jobId: first.id, epoch: 1, loss: 0.7, learningRate: 0.1, durationMs: 500 } });
    text = await scrape();
    expect(sample(text, 'descent_jobs{status="running"}')).toBe(1);
    expect(sample(text, 'descent_jobs{status="queued"}')).toBe(1);
    expect(sample(text, `descent_job_epoch{job_id="${first.id}"}`)).toBe(1);
    expect(sample(text, `descent_job_epoch_duration_seconds{job_id="${first.id}"}`)).toBe(0.5);
    expect(sample(text, `descent_job_samples_per_second{job_id="${first.id}"}`)).toBe(6);

    // A project's key sees its own jobs, nothing of the process or the shared queue; another project's key sees none of them.
    const own = await scrape(key);
    expect(sample(own, `descent_job_epoch{job_id="${first.id}"}`)).toBe(1);
    expect(sample(own, 'descent_jobs{status="queued"}')).toBe(1);
    expect(own).not.toContain("descent_http_request_duration_seconds");
    expect(own).not.toContain("descent_api_");
    expect(own).not.toContain("descent_queue_jobs");
    const foreign = await scrape(otherKey);
    expect(foreign).not.toContain(first.id);
    expect(sample(foreign, 'descent_jobs{status="queued"}')).toBe(0);
    expect(sample(foreign, 'descent_jobs{status="running"}')).toBe(0);

    // Finished jobs leave the per-job series.
    await ctx.db.trainingJob.update({ where: { id: first.id }, data: { status: "succeeded" } });
    text = await scrape();
    expect(text).not.toContain(first.id);
  });
});
