import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startCluster, type Cluster } from "../helpers/cluster.js";
import { readEvents } from "../helpers/sse.js";

// A deploy sends SIGTERM to the API: open event streams end, in-flight
// requests finish, and the process exits well within its deadline.

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ workers: 0 });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

describe("API shutdown", () => {
  it("closes event streams and exits 0 within the deadline on SIGTERM", async () => {
    const dataset = await call(cluster.base, "POST", "/v1/datasets", { features: [[0], [1]], labels: ["a", "b"] });
    const job = await call(cluster.base, "POST", "/v1/jobs", {
      datasetId: dataset.body.id,
      model: { inputShape: [1], layers: [{ type: "dense", units: 2, activation: "softmax" }] },
      training: { epochs: 1, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
    });
    // No worker runs: the stream stays open after the history, until the API stops.
    let historyReplayed!: () => void;
    const replayed = new Promise<void>((resolve) => (historyReplayed = resolve));
    const stream = readEvents(`${cluster.base}/v1/jobs/${job.body.id}/events`, { timeoutMs: 20_000, onEvent: historyReplayed });
    await Promise.race([replayed, stream.then(() => Promise.reject(new Error("the stream ended before the API was stopped")))]);

    const exited = new Promise<number | null>((resolve) => cluster.api.process.once("exit", (code) => resolve(code)));
    const signalledAt = Date.now();
    cluster.api.process.kill("SIGTERM");
    const { events, closedByServer } = await stream;
    expect(closedByServer).toBe(true);
    expect(events.map((e) => e.event)).toEqual(["status"]);
    expect(await exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(Number(cluster.env.SHUTDOWN_DEADLINE_MS));
  });
});
