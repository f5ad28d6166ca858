import { afterEach, describe, expect, it } from "vitest";
import { createModel, exportWeights, type ModelSpec } from "../../src/engine/index.js";
import { DescentError } from "../../src/errors.js";
import { createPredictionPool } from "../../src/prediction/prediction-pool.js";
import type { ModelForPrediction } from "../../src/prediction/protocol.js";
import { predictionThreadEntry } from "../../workers/thread-entries.js";

// The API's prediction threads, with a real thread and the real engine; no database.

const pools: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
});

function stored(spec: ModelSpec, seed: number, id = `mdl_${seed}`) {
  const model = createModel(spec, seed);
  const { manifest, data } = exportWeights(model);
  const weights = new SharedArrayBuffer(data.byteLength);
  new Uint8Array(weights).set(data);
  return { model, forPrediction: { id, spec, manifest, weights } satisfies ModelForPrediction };
}

const mlp: ModelSpec = { inputShape: [3], layers: [{ type: "dense", units: 5, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] };
/** About 0.3 GFLOP per input: slow enough to watch, legal for a user. */
const heavy: ModelSpec = {
  inputShape: [32, 32, 3],
  layers: [
    { type: "conv2d", filters: 64, kernelSize: 3, padding: "same", activation: "relu" },
    { type: "conv2d", filters: 64, kernelSize: 3, padding: "same", activation: "relu" },
    { type: "conv2d", filters: 64, kernelSize: 3, padding: "same", activation: "relu" },
    { type: "conv2d", filters: 64, kernelSize: 3, padding: "same", activation: "relu" },
    { type: "flatten" },
    { type: "dense", units: 2, activation: "softmax" },
  ],
};

describe("prediction pool", () => {
  it("gives the engine's own outputs, bit for bit, and serves several models", async () => {
    const pool = createPredictionPool({ entry: predictionThreadEntry, threads: 2 });
    pools.push(pool);
    const x = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i));
    for (const seed of [1, 2, 1]) {
      const { model, forPrediction } = stored(mlp, seed);
      const y = await pool.predict(forPrediction, x, 4);
      expect(Array.from(y)).toEqual(Array.from(model.predict(x, 4)));
    }
  });

  it("keeps the caller's event loop free while a long prediction runs", async () => {
    const pool = createPredictionPool({ entry: predictionThreadEntry });
    pools.push(pool);
    const { forPrediction } = stored(heavy, 3);
    await pool.predict(forPrediction, new Float32Array(32 * 32 * 3), 1); // the thread is up and has the model
    const order: string[] = [];
    const prediction = pool.predict(forPrediction, new Float32Array(32 * 32 * 3 * 8), 8).then(() => order.push("prediction"));
    await new Promise((resolve) => setImmediate(resolve)).then(() => order.push("event loop"));
    await prediction;
    expect(order).toEqual(["event loop", "prediction"]);
  });

  it("stops a prediction past its time with a 503, and serves the next one on a fresh thread", async () => {
    const pool = createPredictionPool({ entry: predictionThreadEntry, timeoutMs: 300 });
    pools.push(pool);
    const { forPrediction } = stored(heavy, 4);
    const late = pool.predict(forPrediction, new Float32Array(32 * 32 * 3 * 200), 200);
    await expect(late).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("longer than 300 ms") });
    const { model, forPrediction: small } = stored(mlp, 5);
    const x = Float32Array.from([0.1, 0.2, 0.3]);
    expect(Array.from(await pool.predict(small, x, 1))).toEqual(Array.from(model.predict(x, 1)));
  });

  it("refuses new predictions with a 503 when too many are waiting", async () => {
    const pool = createPredictionPool({ entry: predictionThreadEntry, maxQueue: 2 });
    pools.push(pool);
    const { forPrediction } = stored(heavy, 6);
    const x = new Float32Array(32 * 32 * 3);
    await pool.predict(forPrediction, x, 1); // the thread is up
    // One runs, two wait: the fourth finds the queue full.
    const running = [pool.predict(forPrediction, x, 1), pool.predict(forPrediction, x, 1), pool.predict(forPrediction, x, 1)];
    const refused = await pool.predict(forPrediction, x, 1).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DescentError);
    expect((refused as DescentError).code).toBe("UNAVAILABLE");
    await Promise.all(running);
  });
});
