import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FULL_REPORT_MAX_VALUES } from "../../src/api/plugins/validation.js";
import { MAX_CLASSES, MAX_FEATURES } from "../../src/services/column-types.js";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";
import { readEvents } from "../helpers/sse.js";

// Small bodies that used to cost the API its memory, its stack or a 500:
// each answers a 400 (or 413/422) naming the bad field, and nothing is stored.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ configEnv: { MAX_EVENT_STREAMS_PER_PROJECT: "2" } });
});
afterAll(async () => ctx?.close());

const postJson = (url: string, body: string) => ctx.app.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload: body });
const postCsv = (query: string, body: string) => ctx.app.inject({ method: "POST", url: `/v1/datasets?${query}`, headers: { "content-type": "text/csv" }, payload: body });

async function expectRefused(res: Awaited<ReturnType<typeof postJson>>, status: number, path: string | RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers["content-type"]).toMatch(/problem\+json/);
  const paths = (res.json().errors as { path: string }[]).map((e) => e.path);
  expect(paths.some((p) => (typeof path === "string" ? p === path : path.test(p))), JSON.stringify(paths)).toBe(true);
}

describe("class labels", () => {
  it("refuses a class index past the class limit at once (a 44-byte body once allocated a billion classes)", async () => {
    await expectRefused(await postJson("/v1/datasets", '{"features":[[0],[1]],"labels":[1000000000,1]}'), 400, "/labels/0");
    await expectRefused(await postJson("/v1/datasets", `{"features":[[0],[1]],"labels":[${MAX_CLASSES},1]}`), 400, "/labels/0");
    await expectRefused(await postJson("/v1/datasets", '{"features":[[0],[1]],"labels":[1,1e300]}'), 400, "/labels/1");
    expect(await ctx.db.dataset.count()).toBe(0);
    // The largest index that is allowed still works.
    const res = await postJson("/v1/datasets", `{"features":[[0],[1]],"labels":[${MAX_CLASSES - 1},0]}`);
    expect(res.statusCode).toBe(201);
    expect(res.json().numClasses).toBe(MAX_CLASSES);
  });

  it("takes 200,000 rows of integer labels (Math.max(...labels) overflowed the stack past ~130,000)", async () => {
    const n = 200_000;
    const body = JSON.stringify({ features: Array.from({ length: n }, (_, i) => [i % 7]), labels: Array.from({ length: n }, (_, i) => i % 3) });
    const res = await postJson("/v1/datasets", body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ numSamples: n, numClasses: 3 });
  });

  it("refuses labels that are not finite in float32 (1e400 parses to Infinity, 1e39 is Infinity as float32)", async () => {
    await expectRefused(await postJson("/v1/datasets", '{"features":[[0],[1]],"labels":[-1e400,0.5]}'), 400, "/labels/0");
    await expectRefused(await postJson("/v1/datasets", '{"features":[[0],[1]],"labels":[0.5,1e39]}'), 400, "/labels/1");
    await expectRefused(await postCsv("label=y&kind=matrix", "x,y\n1,0.5\n2,1e39\n"), 400, /row 2, column y/);
    await expectRefused(await postCsv("label=y", "x,y\n1,0.5\n2,1e39\n3,2\n"), 400, /row 2, column y/);
    await expectRefused(await postCsv("label=y", "x,y\n1e39,0.5\n2,1\n3,2\n"), 400, /row 1, column x/);
  });

  it("refuses more distinct class names than the class limit", async () => {
    const n = MAX_CLASSES + 1;
    const body = JSON.stringify({ features: Array.from({ length: n }, () => [0]), labels: Array.from({ length: n }, (_, i) => `c${i}`) });
    await expectRefused(await postJson("/v1/datasets", body), 400, "/labels");
  });
});

describe("validation cost", () => {
  it("reports the first error of a body with millions of bad values, quickly and in little memory", async () => {
    const bad = 2_000_000;
    const body = `{"features":[[${'"x",'.repeat(bad - 1)}"x"]],"labels":[0]}`;
    const before = process.memoryUsage().rss;
    const res = await ctx.app.inject({ method: "POST", url: "/v1/datasets", headers: { "content-type": "application/json" }, payload: body });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.length).toBeLessThanOrEqual(20);
    expect(res.json().errors[0].path).toMatch(/^\/features\/0\/\d+$/);
    // One error object per bad value (the old behaviour) would be gigabytes here.
    expect(process.memoryUsage().rss - before).toBeLessThan(1_000_000_000);
  });

  it("still reports every error of a small body", async () => {
    const res = await postJson("/v1/jobs", JSON.stringify({ datasetId: 5, model: { layers: [] }, training: { epochs: "ten" }, extra: 1 }));
    expect(res.statusCode).toBe(400);
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["/datasetId", "/extra", "/training/epochs"]));
    expect(FULL_REPORT_MAX_VALUES).toBeGreaterThan(100);
  });
});

describe("wide tables", () => {
  it("refuses a CSV with more columns than the feature limit, before reading its rows", async () => {
    const header = Array.from({ length: MAX_FEATURES + 2 }, (_, j) => `c${j}`).join(",");
    await expectRefused(await postCsv("label=c0", `${header}\n`), 400, "header");
  });

  it("refuses JSON rows wider than the feature limit", async () => {
    const row = new Array(MAX_FEATURES + 1).fill(0);
    await expectRefused(await postJson("/v1/datasets", JSON.stringify({ features: [row], labels: [0] })), 400, "/features/0");
  });

  it("keeps lists small: per-feature statistics and names only on a dataset's own page", async () => {
    const width = 2_000;
    const header = ["y", ...Array.from({ length: width }, (_, j) => `feature_with_a_long_name_${j}`)].join(",");
    const rows = Array.from({ length: 3 }, (_, i) => [i % 2, ...Array.from({ length: width }, (_, j) => (i + j) % 5)].join(","));
    const created = await postCsv("label=y&name=wide&kind=matrix", `${header}\n${rows.join("\n")}\n`);
    expect(created.statusCode, created.body).toBe(201);
    const list = await ctx.app.inject({ url: "/v1/datasets?limit=100" });
    expect(list.statusCode).toBe(200);
    const listed = list.json().data.find((d: { id: string }) => d.id === created.json().id);
    expect(listed).toMatchObject({ name: "wide", numFeatures: width });
    expect(listed.statistics).toBeUndefined();
    expect(listed.featureNames).toBeUndefined();
    expect(list.body.length).toBeLessThan(50_000);
    const own = (await ctx.app.inject({ url: `/v1/datasets/${created.json().id}` })).json();
    expect(own.featureNames).toHaveLength(width);
    expect(own.statistics.features).toHaveLength(width);
  });
});

describe("NUL characters (Postgres text cannot hold them)", () => {
  it("refuses them in JSON names, labels, feature names and row keys, naming the path", async () => {
    await expectRefused(await postJson("/v1/datasets", '{"name":"a\\u0000b","features":[[0],[1]],"labels":[0,1]}'), 400, "/name");
    await expectRefused(await postJson("/v1/datasets", '{"features":[[0],[1]],"labels":["a","b\\u0000"]}'), 400, "/labels/1");
    await expectRefused(await postJson("/v1/datasets", '{"features":[[0],[1]],"labels":[0,1],"featureNames":["\\u0000"]}'), 400, "/featureNames/0");
    await expectRefused(await postJson("/v1/datasets", '{"label":"y","rows":[{"x\\u0000":1,"y":"a"}]}'), 400, "/rows/0/x\u0000");
    await expectRefused(await postJson("/v1/api-keys", '{"name":"k\\u0000"}'), 400, "/name");
    expect(await ctx.db.dataset.count({ where: { name: { contains: "b" } } })).toBe(0);
  });

  it("refuses them in CSV headers, CSV labels, query strings and path parameters", async () => {
    await expectRefused(await postCsv("label=y", "x\u0000,y\n1,a\n"), 400, "header");
    await expectRefused(await postCsv("label=y", "x,y\n1,a\u0000b\n"), 400, /row 1, column y/);
    await expectRefused(await postCsv("label=y&name=a%00b", "x,y\n1,a\n"), 400, "querystring/name");
    for (const url of ["/v1/jobs/job_%00", "/v1/datasets/%00", "/v1/models/mdl%00x"]) {
      await expectRefused(await ctx.app.inject({ url }), 400, "params/id");
    }
  });

  it("accepts an escaped backslash followed by u0000, which is no NUL", async () => {
    const res = await postJson("/v1/datasets", '{"name":"a\\\\u0000b","features":[[0],[1]],"labels":[0,1]}');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().name).toBe("a\\u0000b");
  });
});

describe("event streams", () => {
  it("answers 204 to a client that has seen the done event, and 400 to an id that cannot be one", async () => {
    const dataset = (await postJson("/v1/datasets", '{"features":[[0],[1]],"labels":[0,1]}')).json();
    const job = (
      await ctx.app.inject({
        method: "POST",
        url: "/v1/jobs",
        payload: {
          datasetId: dataset.id,
          model: { inputShape: [1], layers: [{ type: "dense", units: 2, activation: "softmax" }] },
          training: { epochs: 2, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
        },
      })
    ).json();
    await createTrainingRunner({ db: ctx.db }).run(job.id, { lastDelivery: true });
    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(ctx.app.server.address() as { port: number }).port}/v1/jobs/${job.id}/events`;

    const all = await readEvents(url, { timeoutMs: 10_000 });
    const done = all.events.at(-1)!;
    expect(done.event).toBe("done");
    const afterDone = await readEvents(url, { lastEventId: done.id, timeoutMs: 10_000 });
    expect(afterDone.status).toBe(204);
    const beforeDone = await readEvents(url, { lastEventId: all.events.at(-2)!.id, timeoutMs: 10_000 });
    expect(beforeDone.events.map((e) => e.id)).toEqual([done.id]);
    for (const id of ["9999999999999999999", "-1", "abc"]) {
      const res = await ctx.app.inject({ url: `/v1/jobs/${job.id}/events`, headers: { "last-event-id": id } });
      expect(res.statusCode, id).toBe(400);
      expect(res.json().errors[0].path).toBe("headers/last-event-id");
    }
  });

  it("lets one project hold a bounded number of streams open (429 past it)", async () => {
    const dataset = (await postJson("/v1/datasets", '{"features":[[0],[1]],"labels":[0,1]}')).json();
    const queued = (
      await ctx.app.inject({
        method: "POST",
        url: "/v1/jobs",
        payload: {
          datasetId: dataset.id,
          model: { inputShape: [1], layers: [{ type: "dense", units: 2, activation: "softmax" }] },
          training: { epochs: 2, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
        },
      })
    ).json();
    const url = `http://127.0.0.1:${(ctx.app.server.address() as { port: number }).port}/v1/jobs/${queued.id}/events`;
    // A queued job's stream stays open (nothing runs it here); MAX_EVENT_STREAMS_PER_PROJECT is 2 in this file.
    const controllers = [new AbortController(), new AbortController()];
    const held = await Promise.all(controllers.map((controller) => fetch(url, { signal: controller.signal })));
    expect(held.map((res) => res.status)).toEqual([200, 200]);
    const refused = await ctx.app.inject({ url: `/v1/jobs/${queued.id}/events` });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    controllers[0].abort();
    await held[0].body?.cancel().catch(() => undefined);
    // Once one closes, another may open.
    let reopened = 429;
    for (let tries = 0; reopened === 429 && tries < 100; tries++) {
      const controller = new AbortController();
      const res = await fetch(url, { signal: controller.signal });
      reopened = res.status;
      controller.abort();
      if (reopened === 429) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(reopened).toBe(200);
    controllers[1].abort();
  });
});
