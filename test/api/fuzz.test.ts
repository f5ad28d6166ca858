import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/context.js";

// Whatever a client sends to a POST route, the answer is a 2xx or a 4xx
// problem+json: never a 5xx, never a stack trace. Routes come from
// /openapi.json; bodies are random JSON and mutations of valid ones.

let ctx: TestContext;
let posts: string[];
let valid: Record<string, unknown>;

beforeAll(async () => {
  ctx = await createTestContext({ configEnv: { RATE_LIMIT_PER_SECOND: "100000", MAX_ACTIVE_JOBS_PER_PROJECT: "100000" } });
  const dataset = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[0, 1], [1, 0]], labels: ["a", "b"] } })).json();
  const job = {
    datasetId: dataset.id,
    model: { inputShape: [2], layers: [{ type: "dense", units: 4, activation: "relu" }, { type: "dropout", rate: 0.1 }, { type: "dense", units: 2, activation: "softmax" }] },
    training: { epochs: 1, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, earlyStopping: { patience: 1 } },
  };
  const submitted = (await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: job })).json();
  const paths = (await ctx.app.inject({ url: "/openapi.json" })).json().paths as Record<string, Record<string, unknown>>;
  posts = Object.entries(paths)
    .filter(([, ops]) => "post" in ops)
    .map(([path]) => path.replace("{id}", path.includes("jobs") ? submitted.id : "mdl_missing"));
  valid = {
    "/v1/datasets": { features: [[1, 2], [3, 4]], labels: ["x", "y"], name: "n" },
    "/v1/jobs": job,
    "/v1/api-keys": { name: "k" },
    "/v1/projects": { name: "p" },
  };
});
afterAll(async () => {
  await ctx?.close();
});

/** A valid body with one value somewhere replaced by something else. */
function mutated(base: unknown): fc.Arbitrary<unknown> {
  const leaves: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    leaves.push(path);
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(base, []);
  const replacement = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom(null, -1, 0, 1e308, -1e308, "", "__proto__", [], {}, 2 ** 53, 0.5, true, "a".repeat(300)),
  );
  return fc.tuple(fc.constantFrom(...leaves), replacement).map(([path, value]) => {
    if (path.length === 0) return value;
    const copy = structuredClone(base) as Record<string | number, unknown>;
    let target = copy as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    target[path[path.length - 1]] = value;
    return copy;
  });
}

async function expectClientSafe(url: string, body: unknown) {
  const res = await ctx.app.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload: JSON.stringify(body) });
  if (res.statusCode >= 500) throw new Error(`${url} answered ${res.statusCode} to ${JSON.stringify(body).slice(0, 300)}: ${res.body.slice(0, 300)}`);
  if (res.statusCode >= 400) {
    expect(res.headers["content-type"]).toMatch(/problem\+json/);
    expect(res.body).not.toMatch(/\n\s+at |node_modules|prisma|SELECT /i);
  }
}

describe("every POST route", () => {
  it("answers random JSON with a 2xx or a 4xx problem, never a 5xx", async () => {
    for (const url of posts) {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), (body) => expectClientSafe(url, body)),
        { numRuns: 60, seed: 42 },
      );
    }
  });

  it("answers mutations of valid bodies with a 2xx or a 4xx problem, never a 5xx", async () => {
    for (const url of posts) {
      const base = valid[url] ?? (url.endsWith("/predict") ? { inputs: [[0, 1]] } : {});
      await fc.assert(
        fc.asyncProperty(mutated(base), (body) => expectClientSafe(url, body)),
        { numRuns: 150, seed: 7 },
      );
    }
  });
});
