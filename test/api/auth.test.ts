import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, testAdminKey, type TestContext } from "../helpers/context.js";

// Tenancy: every /v1 route needs a key; a project sees only its own
// resources, and another project's ids look exactly like ids that do not
// exist. The route list comes from /openapi.json, so a new route is covered
// the day it is added.

let ctx: TestContext;
let paths: Record<string, Record<string, unknown>>;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

interface Tenant {
  key: string;
  ids: Record<"datasets" | "jobs" | "models" | "api-keys" | "registered-models" | "webhooks" | "sweeps", string>;
}
let a: Tenant;
let b: Tenant;

async function createTenant(name: string): Promise<Tenant> {
  const created = await ctx.app.inject({ method: "POST", url: "/v1/projects", headers: bearer(testAdminKey), payload: { name } });
  expect(created.statusCode).toBe(201);
  const key = created.json().apiKey as string;
  const headers = bearer(key);
  const dataset = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", headers, payload: { features: [[0], [1]], labels: ["x", "y"] } })).json();
  const job = (
    await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      headers,
      payload: {
        datasetId: dataset.id,
        model: { inputShape: [1], layers: [{ type: "dense", units: 2, activation: "softmax" }] },
        training: { epochs: 1, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
      },
    })
  ).json();
  const outcome = await createTrainingRunner({ db: ctx.db }).run(job.id, { lastDelivery: true });
  if (outcome.status !== "succeeded") throw new Error("training failed");
  const apiKey = (await ctx.app.inject({ method: "POST", url: "/v1/api-keys", headers, payload: { name: "spare" } })).json();
  // A registered model with version 1 and alias "production", for the registry's routes.
  const registered = `${name}-registry`;
  await ctx.app.inject({ method: "POST", url: "/v1/registered-models", headers, payload: { name: registered } });
  await ctx.app.inject({ method: "POST", url: `/v1/registered-models/${registered}/versions`, headers, payload: { modelId: outcome.modelId } });
  await ctx.app.inject({ method: "PUT", url: `/v1/registered-models/${registered}/aliases/production`, headers, payload: { version: 1 } });
  // A webhook endpoint (a public address literal: it passes the URL check without DNS and is never called here).
  const webhook = (await ctx.app.inject({ method: "POST", url: "/v1/webhooks", headers, payload: { url: "https://93.184.215.14/hook", events: ["job.failed"] } })).json();
  const sweep = (
    await ctx.app.inject({
      method: "POST",
      url: "/v1/sweeps",
      headers,
      payload: {
        base: { datasetId: dataset.id, model: { inputShape: [1], layers: [{ type: "dense", units: 2, activation: "softmax" }] }, training: { epochs: 1, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } } },
        parameters: { "/training/optimizer/learningRate": { values: [0.1, 0.2] } },
        metric: "loss",
        goal: "minimize",
        method: "grid",
        maxTrials: 2,
        maxParallel: 1,
      },
    })
  ).json();
  // Ended, so that its event stream (walked below with the owner's key) closes after its done event.
  await ctx.app.inject({ method: "POST", url: `/v1/sweeps/${sweep.id}/cancel`, headers });
  return { key, ids: { datasets: dataset.id, jobs: job.id, models: outcome.modelId, "api-keys": apiKey.id, "registered-models": registered, webhooks: webhook.id, sweeps: sweep.id } };
}

beforeAll(async () => {
  // The walks below send every operation in a burst: above the default 50 requests/s per key (tested in access.test.ts).
  ctx = await createTestContext({ auth: "on", configEnv: { RATE_LIMIT_PER_SECOND: "10000" } });
  paths = (await ctx.app.inject({ url: "/openapi.json" })).json().paths;
  a = await createTenant("a");
  b = await createTenant("b");
});
afterAll(async () => {
  await ctx?.close();
});

/** Every operation under /v1, with a body that passes validation where one is needed. */
function operations() {
  const bodies: Record<string, unknown> = {
    "POST /v1/datasets": { features: [[1]], labels: [0] },
    "POST /v1/models/{id}/predict": { inputs: [[0.5]] },
    "POST /v1/models/{id}/evaluate": { rows: [{ x: 0.5, y: "x" }] },
    "POST /v1/api-keys": { name: "k" },
    "POST /v1/projects": { name: "p" },
    "PATCH /v1/jobs/{id}": { name: "renamed" },
    "POST /v1/jobs/{id}/fork": { fromEpoch: 1 },
    "POST /v1/webhooks": { url: "https://93.184.215.14/other", events: ["job.failed"] },
    "PATCH /v1/models/{id}": { name: "renamed" },
    "POST /v1/registered-models": { name: "another" },
    "POST /v1/registered-models/{name}/versions": { modelId: "mdl_x" },
    "PUT /v1/registered-models/{name}/aliases/{alias}": { version: 1 },
    "POST /v1/registered-models/{name}/aliases/{alias}/predict": { inputs: [[0.5]] },
    "POST /v1/registered-models/{name}/versions/{version}/predict": { inputs: [[0.5]] },
    "POST /v1/registered-models/{name}/aliases/{alias}/evaluate": { rows: [{ x: 0.5, y: "x" }] },
    "POST /v1/registered-models/{name}/versions/{version}/evaluate": { rows: [{ x: 0.5, y: "x" }] },
  };
  return Object.entries(paths)
    .filter(([path]) => path.startsWith("/v1/"))
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path, body: bodies[`${method.toUpperCase()} ${path}`] })));
}

function urlFor(path: string, ids: Tenant["ids"]): string {
  const kind = path.split("/")[2] as keyof Tenant["ids"];
  return path.replace("{id}", ids[kind]).replace("{name}", ids["registered-models"]).replace("{version}", "1").replace("{alias}", "production");
}

describe("authentication", () => {
  it("answers 401 problem+json on every /v1 route without a key, or with a wrong one", async () => {
    // Each operation from an address of its own: one address may send only AUTH_FAILURES_PER_MINUTE unknown keys.
    for (const [index, op] of operations().entries()) {
      const remoteAddress = `10.1.${index >> 8}.${index & 255}`;
      for (const headers of [{}, bearer("dsk_not-a-real-key"), { authorization: "Basic abc" }]) {
        const res = await ctx.app.inject({ method: op.method as "GET", url: urlFor(op.path, a.ids), headers, payload: op.body as object, remoteAddress });
        expect(res.statusCode, `${op.method} ${op.path} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers["content-type"]).toMatch(/problem\+json/);
      }
    }
  });

  it("keeps the public routes public", async () => {
    for (const url of ["/health/live", "/health/ready", "/openapi.json", "/docs/"]) {
      expect((await ctx.app.inject({ url })).statusCode, url).toBe(200);
    }
  });

  it("allows the admin key on admin routes only, and project keys everywhere but there", async () => {
    expect((await ctx.app.inject({ method: "POST", url: "/v1/projects", headers: bearer(a.key), payload: { name: "x" } })).statusCode).toBe(403);
    expect((await ctx.app.inject({ url: "/v1/datasets", headers: bearer(testAdminKey) })).statusCode).toBe(403);
  });

  it("stops accepting a key once it is revoked", async () => {
    const spare = (await ctx.app.inject({ method: "POST", url: "/v1/api-keys", headers: bearer(a.key), payload: { name: "temp" } })).json();
    expect((await ctx.app.inject({ url: "/v1/datasets", headers: bearer(spare.apiKey) })).statusCode).toBe(200);
    const revoked = await ctx.app.inject({ method: "DELETE", url: `/v1/api-keys/${spare.id}`, headers: bearer(a.key) });
    expect(revoked.statusCode).toBe(204);
    expect((await ctx.app.inject({ url: "/v1/datasets", headers: bearer(spare.apiKey) })).statusCode).toBe(401);
    const listed = (await ctx.app.inject({ url: "/v1/api-keys", headers: bearer(a.key) })).json().data;
    expect(listed.find((k: { id: string }) => k.id === spare.id).revokedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(spare.apiKey);
  });

  it("refuses to revoke a project's last active key unless forced, and lets the admin issue a key to a project that has none", async () => {
    const created = (await ctx.app.inject({ method: "POST", url: "/v1/projects", headers: bearer(testAdminKey), payload: { name: "lonely" } })).json();
    const keys = (await ctx.app.inject({ url: "/v1/api-keys", headers: bearer(created.apiKey) })).json().data;
    expect(keys).toHaveLength(1);
    const refused = await ctx.app.inject({ method: "DELETE", url: `/v1/api-keys/${keys[0].id}`, headers: bearer(created.apiKey) });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/last active key/);
    expect((await ctx.app.inject({ url: "/v1/datasets", headers: bearer(created.apiKey) })).statusCode).toBe(200);

    const forced = await ctx.app.inject({ method: "DELETE", url: `/v1/api-keys/${keys[0].id}?force=true`, headers: bearer(created.apiKey) });
    expect(forced.statusCode).toBe(204);
    expect((await ctx.app.inject({ url: "/v1/datasets", headers: bearer(created.apiKey) })).statusCode).toBe(401);

    const url = `/v1/projects/${created.project.id}/api-keys`;
    expect((await ctx.app.inject({ method: "POST", url, headers: bearer(a.key), payload: { name: "rescue" } })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: "POST", url, payload: { name: "rescue" } })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: "POST", url: "/v1/projects/prj_missing/api-keys", headers: bearer(testAdminKey), payload: { name: "x" } })).statusCode).toBe(404);
    const rescued = await ctx.app.inject({ method: "POST", url, headers: bearer(testAdminKey), payload: { name: "rescue" } });
    expect(rescued.statusCode).toBe(201);
    const listed = await ctx.app.inject({ url: "/v1/api-keys", headers: bearer(rescued.json().apiKey) });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data.map((k: { name: string }) => k.name).sort()).toEqual(["first key", "rescue"]);
  });

  it("leaves one key standing when a project's last two keys are revoked at once", async () => {
    const created = (await ctx.app.inject({ method: "POST", url: "/v1/projects", headers: bearer(testAdminKey), payload: { name: "pair" } })).json();
    const second = (await ctx.app.inject({ method: "POST", url: "/v1/api-keys", headers: bearer(created.apiKey), payload: { name: "second" } })).json();
    const first = (await ctx.app.inject({ url: "/v1/api-keys", headers: bearer(created.apiKey) })).json().data.find((k: { name: string }) => k.name === "first key");
    const answers = await Promise.all(
      [first.id, second.id].map((id) => ctx.app.inject({ method: "DELETE", url: `/v1/api-keys/${id}`, headers: bearer(second.apiKey) })),
    );
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([204, 409]);
    expect(await ctx.db.apiKey.count({ where: { projectId: created.project.id, revokedAt: null } })).toBe(1);
  });

  it("stores keys hashed", async () => {
    const rows = await ctx.db.apiKey.findMany();
    for (const row of rows) expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(a.key);
  });
});

describe("tenancy", () => {
  it("answers another project's id on every route exactly as an id that does not exist", async () => {
    // Admin routes (a project's key gets 403 there) act on any project by design.
    const withId = operations().filter((op) => (op.path.includes("{id}") || op.path.includes("{name}")) && !op.path.startsWith("/v1/projects/"));
    expect(withId.length).toBeGreaterThanOrEqual(7);
    for (const op of withId) {
      const foreign = await ctx.app.inject({ method: op.method as "GET", url: urlFor(op.path, b.ids), headers: bearer(a.key), payload: op.body as object });
      const missing = await ctx.app.inject({
        method: op.method as "GET",
        url: op.path.replace("{id}", "xx_doesnotexist").replace("{name}", "xx_doesnotexist").replace("{version}", "1").replace("{alias}", "production"),
        headers: bearer(a.key),
        payload: op.body as object,
      });
      expect(foreign.statusCode, `${op.method} ${op.path}`).toBe(404);
      expect(missing.statusCode).toBe(404);
      expect(foreign.json().title).toBe(missing.json().title);
    }
    // B's own key still reaches all of them (the DELETE above did not revoke B's key).
    // (The tenants' models are trained on numbers: they have no feature pipeline to export, which is its own 404.)
    for (const op of withId.filter((o) => o.method === "GET" && !o.path.endsWith("/preprocessing.json"))) {
      const own = await ctx.app.inject({ method: "GET", url: urlFor(op.path, b.ids), headers: bearer(b.key), payload: op.body as object });
      expect(own.statusCode, `${op.method} ${op.path}`).toBe(200);
    }
  });

  it("lists only the calling project's resources, and refuses to train on another project's dataset", async () => {
    const listed = (await ctx.app.inject({ url: "/v1/datasets", headers: bearer(a.key) })).json().data.map((d: { id: string }) => d.id);
    expect(listed).toContain(a.ids.datasets);
    expect(listed).not.toContain(b.ids.datasets);
    const jobs = (await ctx.app.inject({ url: "/v1/jobs", headers: bearer(a.key) })).json().data.map((j: { id: string }) => j.id);
    // A's job and its sweep's first trial; none of B's.
    expect(jobs).toContain(a.ids.jobs);
    expect(jobs).toHaveLength(2);
    expect(jobs).not.toContain(b.ids.jobs);

    const res = await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      headers: bearer(a.key),
      payload: {
        datasetId: b.ids.datasets,
        model: { inputShape: [1], layers: [{ type: "dense", units: 2, activation: "softmax" }] },
        training: { epochs: 1, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: "/datasetId", message: expect.stringContaining("does not exist") });
  });
});
