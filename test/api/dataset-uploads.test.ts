import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/context.js";

// The other ways in: CSV (a table, or ?kind=matrix), rows of objects; statistics; deleting.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ configEnv: { DATASET_BODY_LIMIT: String(64 * 1024), RATE_LIMIT_PER_SECOND: "1000" } });
});
afterAll(async () => {
  await ctx?.close();
});

const csv = "sepal_length,sepal_width,species\n5.1,3.5,setosa\n4.9,3.0,setosa\n6.3,3.3,virginica\n";
const postCsv = (body: string, query = "?label=species&name=iris-csv", headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: "POST", url: `/v1/datasets${query}`, headers: { "content-type": "text/csv", ...headers }, payload: body });

describe("CSV uploads", () => {
  it("stores a CSV as a table: each column's type, missing count and statistics", async () => {
    const res = await postCsv(csv);
    expect(res.statusCode).toBe(201);
    const dataset = res.json();
    expect(dataset).toMatchObject({ kind: "table", labelColumn: "species", numSamples: 3, numFeatures: 2, classNames: ["setosa", "virginica"], classCounts: [2, 1] });
    const length = dataset.columns.find((c: { name: string }) => c.name === "sepal_length");
    expect(length).toMatchObject({ type: "number", missing: 0, count: 3, stats: { min: 4.9, max: 6.3 } });
    expect(length.stats.mean).toBeCloseTo((5.1 + 4.9 + 6.3) / 3, 10);
    // Two classes: a binary label.
    expect(dataset.columns.find((c: { name: string }) => c.name === "species")).toMatchObject({ label: true, type: "binary" });
  });

  it("stores a CSV with ?kind=matrix as float32 numbers, with statistics, and matches the same data as JSON", async () => {
    const res = await postCsv(csv, "?label=species&name=iris-csv&kind=matrix");
    expect(res.statusCode).toBe(201);
    const dataset = res.json();
    expect(dataset).toMatchObject({ name: "iris-csv", numSamples: 3, numFeatures: 2, classNames: ["setosa", "virginica"], classCounts: [2, 1], featureNames: ["sepal_length", "sepal_width"] });
    const [length] = dataset.statistics.features;
    expect(length).toMatchObject({ name: "sepal_length", min: expect.closeTo(4.9, 5), max: expect.closeTo(6.3, 5), missing: 0 });
    expect(length.mean).toBeCloseTo((5.1 + 4.9 + 6.3) / 3, 5);

    const json = await ctx.app.inject({
      method: "POST",
      url: "/v1/datasets",
      payload: { features: [[5.1, 3.5], [4.9, 3.0], [6.3, 3.3]], labels: ["setosa", "setosa", "virginica"] },
    });
    expect(json.json().checksum).toBe(dataset.checksum);
    const same = (await ctx.app.inject({ url: `/v1/datasets?checksum=${dataset.checksum}` })).json().data;
    expect(same.map((d: { id: string }) => d.id).sort()).toEqual([dataset.id, json.json().id].sort());
  });

  it("shapes a CSV matrix's rows as sequences with ?inputShape=steps,features, the same dataset as JSON with inputShape", async () => {
    // Two sequences of 3 steps x 2 features, step by step in each row.
    const sequences = "s1a,s1b,s2a,s2b,s3a,s3b,order\n1,0,2,0,3,0,up\n3,1,2,1,1,1,down\n";
    const res = await postCsv(sequences, "?label=order&kind=matrix&inputShape=3,2");
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ inputShape: [3, 2], numFeatures: 6, numSamples: 2 });
    const json = await ctx.app.inject({
      method: "POST",
      url: "/v1/datasets",
      payload: { features: [[1, 0, 2, 0, 3, 0], [3, 1, 2, 1, 1, 1]], labels: ["up", "down"], inputShape: [3, 2] },
    });
    expect(json.json().checksum).toBe(res.json().checksum);

    const before = await ctx.db.dataset.count();
    const wrongSize = await postCsv(sequences, "?label=order&kind=matrix&inputShape=4,2");
    expect(wrongSize.statusCode).toBe(400);
    expect(wrongSize.json().errors[0]).toMatchObject({ path: "querystring/inputShape", message: expect.stringContaining("holds 8 values; each row has 6") });
    const onTable = await postCsv(sequences, "?label=order&inputShape=3,2");
    expect(onTable.statusCode).toBe(400);
    expect(onTable.json().errors[0].path).toBe("querystring/inputShape");
    expect((await postCsv(sequences, "?label=order&kind=matrix&inputShape=3,x")).statusCode).toBe(400);
    expect(await ctx.db.dataset.count()).toBe(before);
  });

  it.each([
    ["a column typed as numbers", "?label=species&types=b:number"],
    ["a matrix", "?label=species&kind=matrix"],
  ])("names the row and column of a cell that does not fit %s, and stores nothing", async (_name, query) => {
    const before = await ctx.db.dataset.count();
    const res = await postCsv("a,b,species\n1,2,x\n3,oops,y\n", query);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ path: "row 2, column b", message: expect.stringContaining("oops") });
    expect(await ctx.db.dataset.count()).toBe(before);
  });

  it("takes missing values, and leaves out (and counts) rows without a label", async () => {
    const res = await postCsv("a,b,species\n1,,x\n,2.5,y\n3,4.5,\n5,NA,x\n7,1.25,y\n");
    expect(res.statusCode, res.body).toBe(201);
    const dataset = res.json();
    expect(dataset).toMatchObject({ numSamples: 4, rowsWithoutLabel: 1 });
    expect(dataset.columns.find((c: { name: string }) => c.name === "b")).toMatchObject({ type: "number", missing: 2 });
  });

  it("asks for the label column, and names the columns when it is not one of them", async () => {
    expect((await postCsv(csv, "")).json().errors[0].path).toBe("querystring/label");
    const wrong = await postCsv(csv, "?label=kind");
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().detail).toContain("sepal_length");
  });

  it("refuses a CSV over the upload limit with a 413, declared or not", async () => {
    const big = "a,label\n" + "1.5,x\n".repeat(20_000);
    const declared = await postCsv(big);
    expect(declared.statusCode).toBe(413);
    // Chunked: no Content-Length to refuse up front; the stream is cut at the limit.
    const { Readable } = await import("node:stream");
    const chunked = await ctx.app.inject({
      method: "POST",
      url: "/v1/datasets?label=label",
      headers: { "content-type": "text/csv", "transfer-encoding": "chunked" },
      payload: Readable.from([big]),
    });
    expect(chunked.statusCode).toBe(413);
  });

  it("honours Idempotency-Key for CSV uploads by their content", async () => {
    const first = await postCsv(csv, "?label=species", { "idempotency-key": "csv-1" });
    const again = await postCsv(csv, "?label=species", { "idempotency-key": "csv-1" });
    expect(again.json().id).toBe(first.json().id);
    const other = await postCsv(csv.replace("5.1", "5.2"), "?label=species", { "idempotency-key": "csv-1" });
    expect(other.statusCode).toBe(409);
  });
});

describe("rows of objects", () => {
  const rows = [
    { w: 1.5, h: 2, colour: "red", kind: "a" },
    { w: 3.5, h: "4", colour: "blue", kind: "b" },
    { w: 2.5, colour: null, kind: "a" },
    { w: 0.5, h: 1, colour: "red", kind: "b" },
  ];

  it("takes one object per sample with a label property: cells of any kind, keys left out as missing", async () => {
    const res = await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { label: "kind", rows, columns: { colour: "category" } } });
    expect(res.statusCode, res.body).toBe(201);
    const dataset = res.json();
    expect(dataset).toMatchObject({ kind: "table", classNames: ["a", "b"], numSamples: 4 });
    const types = Object.fromEntries(dataset.columns.map((c: { name: string; type: string; missing: number }) => [c.name, [c.type, c.missing]]));
    expect(types).toMatchObject({ w: ["number", 0], h: ["number", 1], colour: ["category", 1] });
  });

  it("takes a bare JSON array of records with ?label=", async () => {
    const res = await ctx.app.inject({ method: "POST", url: "/v1/datasets?label=kind&ignore=colour", payload: rows });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().columns.find((c: { name: string }) => c.name === "colour").type).toBe("ignore");
    const unnamed = await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: rows });
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json().errors[0].path).toBe("querystring/label");
  });

  it.each([
    ["a value that is not the type chosen for its column", { label: "kind", rows: rows.map((r, i) => (i === 1 ? { ...r, h: "tall" } : r)), columns: { h: "number" } }, "/rows/1/h"],
    ["a label column that is not in the rows", { label: "species", rows }, "/label"],
    ["an object as a cell", { label: "kind", rows: [...rows, { w: { x: 1 }, kind: "a" }] }, "/rows/4/w"],
  ])("rejects %s at its path", async (_name, payload, path) => {
    const res = await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it("reports errors of the form the client used, not of both", async () => {
    const res = await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { label: "kind", rows: [{ w: 1, kind: "a" }], features: [] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: "/features", message: "is not a known property" })]);
  });
});

describe("DELETE /v1/datasets/:id", () => {
  it("deletes an unused dataset, refuses one a queued job uses with 409, and 404s unknown ones", async () => {
    const unused = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[1], [2]], labels: ["a", "b"] } })).json();
    expect((await ctx.app.inject({ method: "DELETE", url: `/v1/datasets/${unused.id}` })).statusCode).toBe(204);
    expect((await ctx.app.inject({ url: `/v1/datasets/${unused.id}` })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: "DELETE", url: `/v1/datasets/${unused.id}` })).statusCode).toBe(404);

    const used = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[1], [2]], labels: ["a", "b"] } })).json();
    const job = await ctx.app.inject({
      method: "POST",
      url: "/v1/jobs",
      payload: {
        datasetId: used.id,
        model: { inputShape: [1], layers: [{ type: "dense", units: 2, activation: "softmax" }] },
        training: { epochs: 1, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
      },
    });
    const refused = await ctx.app.inject({ method: "DELETE", url: `/v1/datasets/${used.id}` });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain("1 queued, running or paused job");
    await ctx.app.inject({ method: "POST", url: `/v1/jobs/${job.json().id}/cancel` });
    expect((await ctx.app.inject({ method: "DELETE", url: `/v1/datasets/${used.id}` })).statusCode).toBe(204);
    // The cancelled job still names its dataset.
    expect((await ctx.app.inject({ url: `/v1/jobs/${job.json().id}` })).json().datasetId).toBe(used.id);
  });
});
