import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/context.js";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx?.close();
});

const xor = { name: "xor", features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: ["no", "yes", "yes", "no"] };

async function post(body: unknown) {
  return ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: body as object });
}

describe("POST /v1/datasets", () => {
  it("stores a dataset with string labels as sorted classes and reports its shape", async () => {
    const res = await post(xor);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name: "xor",
      numSamples: 4,
      numFeatures: 2,
      inputShape: [2],
      task: "classification",
      numClasses: 2,
      classNames: ["no", "yes"],
      classCounts: [2, 2],
    });
    expect(body.id).toMatch(/^ds_/);
    expect(body.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(res.headers.location).toBe(`/v1/datasets/${body.id}`);

    const row = await ctx.db.dataset.findUniqueOrThrow({ where: { id: body.id }, omit: { features: false, labels: false } });
    expect(Array.from(new Float32Array(new Uint8Array(row.features).buffer))).toEqual([0, 0, 0, 1, 1, 0, 1, 1]);
    expect(Array.from(new Float32Array(new Uint8Array(row.labels).buffer))).toEqual([0, 1, 1, 0]);
  });

  it("gives identical uploads the same checksum", async () => {
    const a = (await post(xor)).json();
    const b = (await post({ ...xor, name: "again" })).json();
    expect(a.checksum).toBe(b.checksum);
    const c = (await post({ ...xor, labels: ["yes", "yes", "yes", "no"] })).json();
    expect(c.checksum).not.toBe(a.checksum);
  });

  it("treats integer labels as indices into classNames", async () => {
    const res = await post({ features: [[1], [2], [3]], labels: [0, 2, 2], classNames: ["a", "b", "c"] });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ numClasses: 3, classNames: ["a", "b", "c"], classCounts: [1, 0, 2] });
  });

  it("treats fractional labels as regression targets", async () => {
    const res = await post({ features: [[1], [2]], labels: [0.5, 1.5] });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ task: "regression", numClasses: 0, classNames: [] });
  });

  it.each([
    ["a missing field", { features: [[1]] }, "/labels", "must have required property"],
    ["a string in features", { features: [[1, "2"]], labels: [0] }, "/features/0/1", "must be number"],
    ["null in features (no coercion to 0)", { features: [[1, null]], labels: [0] }, "/features/0/1", "must be number"],
    ["an unknown property", { ...xor, colour: "red" }, "/colour", "is not a known property"],
    ["ragged rows", { features: [[1, 2], [3]], labels: [0, 1] }, "/features/1", "row 1 has 1 values; row 0 has 2"],
    ["more labels than rows", { features: [[1], [2]], labels: [0, 1, 0] }, "/labels", "3 labels for 2 feature rows"],
    ["a label outside classNames", { features: [[1], [2]], labels: [0, 3], classNames: ["a", "b"] }, "/labels/1", "not a class index"],
    ["a class name that is not declared", { features: [[1], [2]], labels: ["a", "z"], classNames: ["a", "b"] }, "/labels/1", "not one of classNames"],
    ["mixed label kinds", { features: [[1], [2]], labels: [0, "b"] }, "/labels/1", "mix"],
    ["an empty dataset", { features: [], labels: [] }, "/features", "must NOT have fewer than 1 items"],
    ["an inputShape that does not hold the row", { features: [[1, 2, 3]], labels: [0], inputShape: [2, 2] }, "/inputShape", "holds 4 values"],
    ["a value too large for float32", { features: [[1e39]], labels: [0] }, "/features/0/0", "does not fit in float32"],
  ])("rejects %s with a 400 naming the path, and stores nothing", async (_name, body, path, message) => {
    const before = await ctx.db.dataset.count();
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem).toMatchObject({ status: 400, type: expect.stringMatching(/validation-failed$/), title: expect.any(String) });
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringContaining(message) })]));
    expect(await ctx.db.dataset.count()).toBe(before);
  });

  it("rejects malformed JSON and __proto__ keys as problem+json", async () => {
    const malformed = await ctx.app.inject({ method: "POST", url: "/v1/datasets", headers: { "content-type": "application/json" }, payload: "{" });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers["content-type"]).toMatch(/problem\+json/);
    const proto = await ctx.app.inject({
      method: "POST",
      url: "/v1/datasets",
      headers: { "content-type": "application/json" },
      payload: '{"features":[[1]],"labels":[0],"__proto__":{"x":1}}',
    });
    expect(proto.statusCode).toBe(400);
    expect(proto.json().detail).not.toMatch(/at .*\.js/);
  });
});

describe("GET /v1/datasets", () => {
  it("reads one dataset, and 404s an unknown id as problem+json", async () => {
    const created = (await post(xor)).json();
    const res = await ctx.app.inject({ url: `/v1/datasets/${created.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(created);
    expect(res.json()).not.toHaveProperty("features");

    const missing = await ctx.app.inject({ url: "/v1/datasets/ds_doesnotexist" });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toMatch(/problem\+json/);
    expect(missing.json()).toMatchObject({ status: 404, detail: "dataset ds_doesnotexist does not exist" });
  });

  it("lists newest first with a cursor that walks every page once", async () => {
    for (let i = 0; i < 5; i++) await post({ ...xor, name: `page-${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { statusCode: number; json(): any } = await ctx.app.inject({ url: `/v1/datasets?limit=2${cursor ? `&cursor=${cursor}` : ""}` });
      expect(res.statusCode).toBe(200);
      const page: { data: { id: string }[]; nextCursor: string | null } = res.json();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((d: { id: string }) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort().reverse());
    expect(seen.length).toBe(await ctx.db.dataset.count());
  });

  it("rejects a bad query with the parameter's name", async () => {
    const res = await ctx.app.inject({ url: "/v1/datasets?limit=0" });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe("querystring/limit");
  });
});
