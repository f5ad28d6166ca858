import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../helpers/processes.js";
import { readEvents } from "../helpers/sse.js";
import { call, startCluster, syntheticDataset, type Cluster } from "../helpers/cluster.js";

// A sweep in real worker processes: its trials spread over both workers, and
// each worker's sweep advancer starts the next trials as trials end, until
// the sweep completes on its own.

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ workers: 2, env: { SWEEP_POLL_INTERVAL_MS: "50" } });
});
afterAll(async () => cluster?.close());

describe("a sweep on two workers", { timeout: 180_000 }, () => {
  it("runs every trial as a job, two at a time over both workers, and completes with the best trial's model", async () => {
    const dataset = await call(cluster.base, "POST", "/v1/datasets", syntheticDataset(600, 16, 3));
    expect(dataset.status).toBe(201);
    const created = await call(cluster.base, "POST", "/v1/sweeps", {
      name: "two workers",
      base: {
        datasetId: dataset.body.id,
        model: { layers: [{ type: "dense", units: 32, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] },
        training: { epochs: 6, batchSize: 16, seed: 1, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.001 }, validationSplit: 0.2 },
      },
      parameters: { "/training/optimizer/learningRate": { min: 1e-4, max: 0.05, distribution: "logUniform" }, "/model/layers/0/units": { values: [8, 32, 64] } },
      metric: "valAccuracy",
      goal: "maximize",
      method: "tpe",
      maxTrials: 8,
      maxParallel: 2,
      seed: 3,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    // Followed live meanwhile: the sweep, its trials as they move, then done.
    const stream = readEvents(`${cluster.base}/v1/sweeps/${created.body.id}/events`, { timeoutMs: 150_000 });
    const done = await waitFor(
      async () => {
        const { body } = await call(cluster.base, "GET", `/v1/sweeps/${created.body.id}`);
        return body.status === "running" ? undefined : body;
      },
      { what: "the sweep to complete", timeoutMs: 150_000, intervalMs: 200 },
    ).catch((error) => {
      throw new Error(`${error.message}\n${cluster.output()}`);
    });
    expect(done.status).toBe("completed");
    expect(done.trials).toHaveLength(8);
    expect(done.trials.every((t: { status: string }) => t.status === "succeeded")).toBe(true);
    expect(done.best.metric).toBe(Math.max(...done.trials.map((t: { metric: number }) => t.metric)));
    expect((await call(cluster.base, "GET", `/v1/models/${done.best.modelId}`)).status).toBe(200);
    // Both workers trained trials.
    const trialJobs = new Set(done.trials.map((t: { jobId: string }) => t.jobId));
    const trainedBy = cluster.workers.map((worker) => [...worker.output().matchAll(/"jobId":"(job_[^"]+)"[^\n]*training job started/g)].filter((m) => trialJobs.has(m[1])).length);
    console.info(`TPE sweep of 8 trials on 2 workers: trials started per worker ${trainedBy.join(" / ")}, best valAccuracy ${done.best.metric.toFixed(3)}`);
    expect(trainedBy.every((count) => count > 0)).toBe(true);

    const { events, closedByServer } = await stream;
    expect(closedByServer).toBe(true);
    expect(events[0].event).toBe("sweep");
    expect(events.at(-1)).toMatchObject({ event: "done", data: { status: "completed", best: { jobId: done.best.jobId }, epochsTrained: done.epochsTrained } });
    // The first event has the trials so far; trial events the rest, and every change after: the last word on each trial is "succeeded".
    const last = new Map<number, string>(events[0].data.trials.map((t: { number: number; status: string }) => [t.number, t.status]));
    for (const e of events.filter((e) => e.event === "trial")) last.set(e.data.number, e.data.status);
    expect([...last.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...last.values()].every((status) => status === "succeeded")).toBe(true);
  });

  it("promotes ASHA trials from their rungs on either worker, and loses no trial when a worker is killed mid-sweep", async () => {
    // About a third of a second an epoch: the sweep is still running when the worker dies.
    const dataset = await call(cluster.base, "POST", "/v1/datasets", syntheticDataset(4000, 64, 4));
    const created = await call(cluster.base, "POST", "/v1/sweeps", {
      base: {
        datasetId: dataset.body.id,
        model: { layers: [{ type: "dense", units: 256, activation: "relu" }, { type: "dense", units: 4, activation: "softmax" }] },
        training: { epochs: 8, batchSize: 64, seed: 2, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.001 }, validationSplit: 0.1 },
      },
      parameters: { "/training/optimizer/learningRate": { min: 1e-4, max: 0.3, distribution: "logUniform" } },
      metric: "valLoss",
      goal: "minimize",
      method: "random",
      maxTrials: 6,
      maxParallel: 2,
      earlyTermination: { type: "asha", minEpochs: 2, reductionFactor: 2 },
      seed: 9,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const sweepUrl = `/v1/sweeps/${created.body.id}`;
    // Killed once a trial waits at a rung and another trains.
    await waitFor(
      async () => {
        const { body } = await call(cluster.base, "GET", sweepUrl);
        const statuses = body.trials.map((t: { status: string }) => t.status);
        return statuses.includes("waiting") && statuses.includes("running") ? true : undefined;
      },
      { what: "a trial waiting at a rung while another trains", timeoutMs: 60_000, intervalMs: 50 },
    );
    cluster.workers[0].process.kill("SIGKILL");
    await cluster.startWorker();
    const done = await waitFor(
      async () => {
        const { body } = await call(cluster.base, "GET", sweepUrl);
        return body.status === "running" ? undefined : body;
      },
      { what: "the sweep to complete after the kill", timeoutMs: 150_000, intervalMs: 200 },
    ).catch((error) => {
      throw new Error(`${error.message}\n${cluster.output()}`);
    });
    expect(done.status).toBe("completed");
    expect(done.trials).toHaveLength(6);
    type Trial = { jobId: string; status: string; epochs: number };
    const trials: Trial[] = done.trials;
    for (const trial of trials) expect(["succeeded", "pruned"]).toContain(trial.status);
    const finished = trials.filter((t) => t.status === "succeeded");
    expect(finished.length).toBeGreaterThan(0);
    for (const trial of finished) expect(trial.epochs).toBe(8);
    for (const trial of trials.filter((t) => t.status === "pruned")) expect([2, 4]).toContain(trial.epochs);
    // Every trial's epochs are there once each, from 1, killed worker or not.
    for (const trial of trials) {
      const rows = await cluster.db.epochMetric.findMany({ where: { jobId: trial.jobId }, orderBy: { epoch: "asc" }, select: { epoch: true } });
      expect(rows.map((r) => r.epoch)).toEqual(Array.from({ length: trial.epochs }, (_, i) => i + 1));
    }
    const promoted = await cluster.db.jobEvent.count({ where: { job: { sweepId: created.body.id }, type: "status", data: { path: ["message"], string_contains: "rung" } } });
    console.info(`ASHA promotion sweep of 6 trials on 2 workers, one killed: ${finished.length} trained to the end, ${trials.length - finished.length} pruned, ${promoted} waits at rungs, ${done.epochsTrained} epochs (48 without early termination)`);
    expect(done.epochsTrained).toBeLessThan(48);
  });
});
