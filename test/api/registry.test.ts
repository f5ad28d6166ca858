import type { AddressInfo } from "node:net";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// The model registry through the API: names, versions numbered one at a time,
// aliases that move atomically, predict and evaluate through an alias or a
// version, and a model an alias points to that cannot be deleted.

let ctx: TestContext;
let datasetId: string;
const trained: string[] = [];

// XOR: version 1 trains a single epoch (near chance), version 2 long enough to learn it.
const features = [[0, 0], [0, 1], [1, 0], [1, 1]];
const labels = ["no", "yes", "yes", "no"];

async function train(epochs: number): Promise<string> {
  const submitted = await ctx.app.inject({
    method: "POST",
    url: "/v1/jobs",
    payload: {
      datasetId,
      model: { layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
      training: { epochs, batchSize: 4, seed: 1, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.05 } },
    },
  });
  expect(submitted.statusCode, submitted.body).toBe(202);
  await createTrainingRunner({ db: ctx.db }).run(submitted.json().id, { lastDelivery: true });
  const job = (await ctx.app.inject({ url: `/v1/jobs/${submitted.json().id}` })).json();
  expect(job.status).toBe("succeeded");
  return job.resultModelId;
}

const api = (method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: object) => ctx.app.inject({ method, url, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  // Bursts of concurrent alias moves and reads: above the default 50 requests/s per key.
  ctx = await createTestContext({ configEnv: { RATE_LIMIT_PER_SECOND: "1000" } });
  datasetId = (await api("POST", "/v1/datasets", { name: "xor", features, labels })).json().id;
  trained.push(await train(1), await train(300));
}, 120_000);
afterAll(async () => ctx?.close());

describe("the model registry", () => {
  it("numbers versions, moves an alias atomically, and predicts and evaluates through it", async () => {
    const created = await api("POST", "/v1/registered-models", { name: "xor-gate", description: "learns XOR", tags: ["toy", "logic"] });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: "xor-gate", description: "learns XOR", tags: ["toy", "logic"], latestVersion: null, versions: [], aliases: {} });

    const first = await api("POST", "/v1/registered-models/xor-gate/versions", { modelId: trained[0], description: "one epoch" });
    const second = await api("POST", "/v1/registered-models/xor-gate/versions", { modelId: trained[1], tags: ["300 epochs"] });
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect([first.json().version, second.json().version]).toEqual([1, 2]);

    const staged = await api("PUT", "/v1/registered-models/xor-gate/aliases/production", { version: 1 });
    expect(staged.statusCode, staged.body).toBe(200);
    expect(staged.json()).toMatchObject({ version: 1, modelId: trained[0], aliases: ["production"] });
    const byAlias = async () => (await api("POST", "/v1/registered-models/xor-gate/aliases/production/predict", { inputs: features })).json();
    const direct = (await api("POST", `/v1/models/${trained[0]}/predict`, { inputs: features })).json();
    expect(await byAlias()).toEqual(direct);

    const moved = await api("PUT", "/v1/registered-models/xor-gate/aliases/production", { version: 2 });
    expect(moved.json()).toMatchObject({ version: 2, modelId: trained[1], aliases: ["production"] });
    expect((await byAlias()).classNames).toEqual(labels);
    const evaluated = await api("POST", "/v1/registered-models/xor-gate/aliases/production/evaluate", { datasetId });
    expect(evaluated.statusCode, evaluated.body).toBe(200);
    expect(evaluated.json().accuracy).toBe(1);
    const byVersion = await api("POST", "/v1/registered-models/xor-gate/versions/1/predict", { inputs: features });
    expect(byVersion.json()).toEqual(direct);

    const page = (await api("GET", "/v1/registered-models/xor-gate")).json();
    expect(page).toMatchObject({ latestVersion: 2, aliases: { production: 2 } });
    expect(page.versions.map((v: { version: number; aliases: string[] }) => [v.version, v.aliases])).toEqual([[2, ["production"]], [1, []]]);
    expect((await api("GET", "/v1/registered-models?tag=logic")).json().data.map((m: { name: string }) => m.name)).toEqual(["xor-gate"]);
    expect((await api("GET", "/v1/registered-models?tag=vision")).json().data).toEqual([]);
  });

  it("exports through an alias to TensorFlow.js, the weights pinned to the alias's version", async () => {
    await api("POST", "/v1/registered-models", { name: "exported" });
    await api("POST", "/v1/registered-models/exported/versions", { modelId: trained[0] });
    await api("POST", "/v1/registered-models/exported/versions", { modelId: trained[1] });
    await api("PUT", "/v1/registered-models/exported/aliases/production", { version: 2 });
    const modelJson = (await api("GET", "/v1/registered-models/exported/aliases/production/tfjs/model.json")).json();
    expect(modelJson.weightsManifest[0].paths).toEqual(["../../../versions/2/tfjs/weights.bin"]);
    const pinned = await api("GET", "/v1/registered-models/exported/versions/2/tfjs/weights.bin");
    const direct = await api("GET", `/v1/models/${trained[1]}/tfjs/weights.bin`);
    expect(pinned.rawPayload.equals(direct.rawPayload)).toBe(true);

    // tfjs resolves the manifest path against model.json's URL, over real HTTP.
    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
    await tf.setBackend("cpu");
    const loaded = await tf.loadLayersModel(`${base}/v1/registered-models/exported/aliases/production/tfjs/model.json`);
    const theirs = Array.from((loaded.predict(tf.tensor2d(features)) as tf.Tensor).dataSync());
    const ours = (await api("POST", "/v1/registered-models/exported/aliases/production/predict", { inputs: features })).json().outputs.flat();
    for (let i = 0; i < ours.length; i++) expect(Math.abs(theirs[i] - ours[i])).toBeLessThan(1e-5);
  });

  it("numbers versions one at a time when registrations race", async () => {
    await api("POST", "/v1/registered-models", { name: "raced" });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => api("POST", "/v1/registered-models/raced/versions", { modelId: trained[i % 2] })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(12).fill(201));
    expect(answers.map((a) => a.json().version).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it("moves an alias atomically under concurrent moves and reads: each answer is one version's, and one version holds the alias", async () => {
    await api("POST", "/v1/registered-models", { name: "racing-alias" });
    for (const modelId of trained) await api("POST", "/v1/registered-models/racing-alias/versions", { modelId });
    await api("PUT", "/v1/registered-models/racing-alias/aliases/live", { version: 1 });
    const outputsOf = await Promise.all(trained.map(async (id) => (await api("POST", `/v1/models/${id}/predict`, { inputs: features })).json().outputs));
    expect(outputsOf[0]).not.toEqual(outputsOf[1]);

    const moves = Array.from({ length: 20 }, (_, i) => api("PUT", "/v1/registered-models/racing-alias/aliases/live", { version: (i % 2) + 1 }));
    const reads = Array.from({ length: 20 }, () => api("POST", "/v1/registered-models/racing-alias/aliases/live/predict", { inputs: features }));
    const [moved, read] = await Promise.all([Promise.all(moves), Promise.all(reads)]);
    expect(moved.map((m) => m.statusCode)).toEqual(Array(20).fill(200));
    for (const answer of read) {
      expect(answer.statusCode).toBe(200);
      expect([outputsOf[0], outputsOf[1]]).toContainEqual(answer.json().outputs);
    }
    const page = (await api("GET", "/v1/registered-models/racing-alias")).json();
    expect([1, 2]).toContain(page.aliases.live);
    expect(page.versions.filter((v: { aliases: string[] }) => v.aliases.includes("live")).map((v: { version: number }) => v.version)).toEqual([page.aliases.live]);
  });

  it("refuses to delete a model an alias points to (409), and deletes it once the alias is gone", async () => {
    const spare = await train(2);
    await api("POST", "/v1/registered-models", { name: "spare" });
    await api("POST", "/v1/registered-models/spare/versions", { modelId: spare });
    await api("PUT", "/v1/registered-models/spare/aliases/staging", { version: 1 });
    const refused = await api("DELETE", `/v1/models/${spare}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain("spare@staging (version 1)");
    expect((await api("GET", `/v1/models/${spare}`)).statusCode).toBe(200);

    expect((await api("DELETE", "/v1/registered-models/spare/aliases/staging")).statusCode).toBe(204);
    expect((await api("DELETE", `/v1/models/${spare}`)).statusCode).toBe(204);
    expect((await api("GET", `/v1/models/${spare}`)).statusCode).toBe(404);
    expect((await api("POST", `/v1/models/${spare}/predict`, { inputs: features })).statusCode).toBe(404);
    expect((await api("GET", "/v1/registered-models/spare")).json()).toMatchObject({ latestVersion: null, versions: [] });
  });

  it("answers bad names, unknown versions, aliases and models with problems and paths", async () => {
    const taken = await api("POST", "/v1/registered-models", { name: "xor-gate" });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().errors[0].path).toBe("/name");
    const badName = await api("POST", "/v1/registered-models", { name: "has space" });
    expect(badName.statusCode).toBe(400);
    expect(badName.json().errors[0].path).toBe("/name");
    const numericAlias = await api("PUT", "/v1/registered-models/xor-gate/aliases/42", { version: 1 });
    expect(numericAlias.statusCode).toBe(400);
    const noVersion = await api("PUT", "/v1/registered-models/xor-gate/aliases/canary", { version: 99 });
    expect(noVersion.statusCode).toBe(404);
    expect(noVersion.json().errors[0].path).toBe("/version");
    const noModel = await api("POST", "/v1/registered-models/xor-gate/versions", { modelId: "mdl_missing" });
    expect(noModel.statusCode).toBe(404);
    expect(noModel.json().errors[0].path).toBe("/modelId");
    expect((await api("POST", "/v1/registered-models/xor-gate/aliases/nowhere/predict", { inputs: features })).statusCode).toBe(404);
    expect((await api("POST", "/v1/registered-models/missing/versions/1/predict", { inputs: features })).statusCode).toBe(404);
    expect((await api("GET", "/v1/registered-models/xor-gate/versions/0")).statusCode).toBe(400);
  });
});
