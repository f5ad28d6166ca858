import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prng } from "../../src/engine/index.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// The data report of GET /v1/datasets/:id, computed at upload: a dataset
// built with planted problems shows each of them, and a clean one none.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

const upload = async (payload: object) => {
  const res = await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload });
  expect(res.statusCode, res.body).toBe(201);
  return (await ctx.app.inject({ url: `/v1/datasets/${res.json().id}` })).json();
};

/** 400 rows of 4 noisy features and a class from two of them, in or out of a circle. */
function clean(seed = 3) {
  const rng = new Prng(seed);
  const features = Array.from({ length: 400 }, () => [rng.nextFloat() * 2 - 1, rng.nextFloat() * 2 - 1, rng.nextFloat(), rng.nextFloat()]);
  const labels: string[] = features.map(([a, b]) => (a * a + b * b < 0.5 ? "in" : "out"));
  return { features, labels };
}

describe("data report", () => {
  it("finds nothing to say about a clean dataset", async () => {
    const dataset = await upload({ name: "clean", ...clean() });
    expect(dataset.report).toMatchObject({ rows: 400, duplicateRows: 0, conflictingDuplicates: 0, constantColumns: [], likelyLeaks: [], sampledRows: 400, warnings: [] });
    expect(dataset.report.classBalance.ratio).toBeLessThan(2);
    // Lists leave the report out.
    const list = (await ctx.app.inject({ url: "/v1/datasets" })).json().data;
    expect(list.find((d: { id: string }) => d.id === dataset.id).report).toBeUndefined();
  });

  it("flags planted duplicates, a conflicting copy, a leaking column, a constant column, an outlier and imbalance", async () => {
    const { features, labels } = clean(5);
    // A column that is the label in disguise, one that never changes, and an outlier in the first.
    const rows = features.map((row, i) => [...row, labels[i] === "in" ? 0.9 + i * 1e-4 : 0.1 - i * 1e-4, 7]);
    rows[100][0] = 250;
    // 30 exact copies, and one copy with the other label.
    for (let i = 0; i < 30; i++) {
      rows.push([...rows[i]]);
      labels.push(labels[i]);
    }
    rows.push([...rows[40]]);
    labels.push(labels[40] === "in" ? "out" : "in");
    // Three rows of a rare class.
    for (let i = 0; i < 3; i++) {
      rows.push([0, 0, 0.5, 0.5, 0.5, 7]);
      labels.push("rare");
    }
    const dataset = await upload({ name: "planted", features: rows, labels, featureNames: ["a", "b", "noise1", "noise2", "leak", "constant"] });
    const report = dataset.report;
    expect(report).toMatchObject({ rows: 434, duplicateRows: 32, conflictingDuplicates: 1, constantColumns: ["constant"] });
    expect(report.likelyLeaks.map((l: { name: string }) => l.name)).toEqual(["leak"]);
    expect(report.likelyLeaks[0].measure).toBe("accuracy");
    expect(report.outliers).toContainEqual({ name: "a", count: 1 });
    expect(report.classBalance.ratio).toBeGreaterThan(10);
    expect(report.warnings.join("\n")).toMatch(/32 of 434 rows repeat an earlier row/);
    expect(report.warnings.join("\n")).toMatch(/column leak predicts the label/);
    expect(report.warnings.join("\n")).toMatch(/classWeight "balanced"/);

    // A dry run of a job on it says what concerns the job.
    const job = { datasetId: dataset.id, model: { layers: [{ type: "dense", units: 8, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] } };
    const training = { epochs: 5, batchSize: 16, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.001 } };
    const dry = await ctx.app.inject({ method: "POST", url: "/v1/jobs?dryRun=true", payload: { ...job, training: { ...training, validationSplit: 0.2 } } });
    expect(dry.statusCode, dry.body).toBe(200);
    const warned = dry.json().warnings.map((w: { path: string }) => w.path);
    expect(warned).toEqual(expect.arrayContaining(["/training/validationSplit", "/datasetId", "/training/classWeight"]));
    // The split of this job (seed 0, 20% held out) puts some of the 32 copies on the other side of their originals.
    const copies = dry.json().validationCopies;
    expect(copies).toBeGreaterThan(0);
    expect(copies).toBeLessThanOrEqual(33);
    expect(dry.json().warnings.map((w: { message: string }) => w.message).join("\n")).toContain(`${copies} validation rows of this split have the features of a training row`);
    // Without a validation split there is nothing to leak into.
    const noSplit = await ctx.app.inject({ method: "POST", url: "/v1/jobs?dryRun=true", payload: { ...job, training } });
    expect(noSplit.json().validationCopies).toBeNull();
  });

  it("reports on a table's rows as its pipeline encodes them: a regression target copied into a column", async () => {
    const rng = new Prng(9);
    const lines = ["size,rooms,price_again,price"];
    for (let i = 0; i < 300; i++) {
      const size = 30 + rng.nextFloat() * 120;
      const price = size * 3000 + rng.nextFloat() * 200_000;
      lines.push(`${size.toFixed(1)},${1 + Math.floor(rng.nextFloat() * 5)},${(price * 1.0001).toFixed(0)},${price.toFixed(0)}`);
    }
    const res = await ctx.app.inject({ method: "POST", url: "/v1/datasets?label=price&name=homes", headers: { "content-type": "text/csv" }, payload: lines.join("\n") });
    expect(res.statusCode, res.body).toBe(201);
    const report = (await ctx.app.inject({ url: `/v1/datasets/${res.json().id}` })).json().report;
    expect(report.likelyLeaks).toEqual([{ name: expect.stringContaining("price_again"), measure: "correlation", value: expect.any(Number) }]);
    expect(report.classBalance).toBeNull();
  });

  it("judges a category as a column, not by each of its one-hot indicators", async () => {
    const rng = new Prng(11);
    const lines = ["city,plan,x,y"];
    for (let i = 0; i < 2000; i++) {
      // 200 cities of 10 rows each (each one-hot column 99.5% zeros, yet the column is anything but constant); one plan in 99.5% of rows.
      const x = rng.nextFloat();
      lines.push(`city${i % 200},${i % 200 === 0 ? "gold" : "basic"},${x.toFixed(3)},${x + rng.nextFloat() > 1 ? "a" : "b"}`);
    }
    const res = await ctx.app.inject({ method: "POST", url: "/v1/datasets?label=y&name=cities&types=plan:category", headers: { "content-type": "text/csv" }, payload: lines.join("\n") });
    expect(res.statusCode, res.body).toBe(201);
    const report = (await ctx.app.inject({ url: `/v1/datasets/${res.json().id}` })).json().report;
    expect(report.nearConstantColumns).toEqual([{ name: "plan", share: 0.995 }]);
  });
});
