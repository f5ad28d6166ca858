// Public tables as people have them (vega-datasets): records with nulls and
// odd markers, a CSV with dates, a table with an id-like name column, run
// through the whole pipeline: table, inference, split, fit, transform, a
// small model trained by descent's engine, and the metrics of its predictions.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { createModel, fit, type ModelSpec, type TrainingConfig } from "../../../src/engine/index.js";
import {
  TableBuilder,
  classificationMetrics,
  decodePipeline,
  decodeTable,
  encodeTable,
  fitPipeline,
  inferColumnTypes,
  readCategories,
  regressionMetrics,
  splitRows,
  tableFromRecords,
  transformRecords,
  transformTable,
  type Table,
} from "../../../src/features/index.js";

const require = createRequire(import.meta.url);
// The package exports only its loader (which fetches over HTTP); its data files sit beside it.
const dataDirectory = join(dirname(require.resolve("vega-datasets")), "../data");
const dataFile = (name: string) => join(dataDirectory, name);
const records = (name: string) => JSON.parse(readFileSync(dataFile(name), "utf8")) as Record<string, unknown>[];

function csvTable(name: string): Table {
  const [header, ...rows] = parse(readFileSync(dataFile(name)), { trim: true }) as string[][];
  const builder = new TableBuilder({ columns: header });
  for (const row of rows) builder.addRow(row);
  return builder.finish();
}

function typesOf(table: Table, label: string): Record<string, string> {
  return Object.fromEntries(inferColumnTypes(table, { label }).map((report) => [report.name, report.type]));
}

function finiteEverywhere(x: Float32Array): boolean {
  return x.every((v) => Number.isFinite(v));
}

async function trainClassifier(x: Float32Array, y: Float32Array, width: number, classes: number, seed: number) {
  const spec: ModelSpec = { inputShape: [width], layers: [{ type: "dense", units: 16, activation: "relu", kernelInitializer: "heNormal" }, { type: "dense", units: classes, activation: "softmax" }] };
  const config: TrainingConfig = { epochs: 60, batchSize: 16, seed, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 } };
  const model = createModel(spec, seed);
  await fit(model, { x, y, numSamples: y.length }, config);
  return model;
}

describe("real public tables", () => {
  it("penguins (JSON records with nulls and a stray '.'): species from measurements, island and sex", async () => {
    const table = tableFromRecords(records("penguins.json"));
    expect(decodeTable(encodeTable(table))).toEqual(table);
    expect(typesOf(table, "Species")).toEqual({
      Species: "category",
      Island: "category",
      "Beak Length (mm)": "number",
      "Beak Depth (mm)": "number",
      "Flipper Length (mm)": "number",
      "Body Mass (g)": "number",
      Sex: "category",
    });

    const strata = readCategories(table.columns[0]).codes;
    const split = splitRows(table.numRows, { validation: 0.15, test: 0.2, seed: 11, strata });
    const pipeline = fitPipeline(table, { label: "Species", rows: split.train });
    expect(pipeline.label).toMatchObject({ task: "classification", classNames: ["Adelie", "Chinstrap", "Gentoo"] });
    expect(pipeline.outputs.map((o) => o.name)).toContain("Body Mass (g) (missing)");
    // The table's single Sex "." is in these training rows, and rarer than minCount: it goes to "other".
    expect(split.train.some((row) => records("penguins.json")[row].Sex === ".")).toBe(true);
    expect(pipeline.outputs.filter((o) => o.column === "Sex").map((o) => o.name)).toEqual(["Sex=MALE", "Sex=FEMALE", "Sex=(other)", "Sex (missing)"]);
    expect(decodePipeline(JSON.parse(JSON.stringify(pipeline)))).toEqual(pipeline);

    const train = transformTable(pipeline, table, split.train);
    const test = transformTable(pipeline, table, split.test);
    expect(train.numRows).toBe(split.train.length);
    expect(finiteEverywhere(train.x) && finiteEverywhere(test.x)).toBe(true);

    const model = await trainClassifier(train.x, train.y!, pipeline.width, 3, 5);
    const metrics = classificationMetrics(test.y!, model.predict(test.x, test.numRows), pipeline.label.task === "classification" ? pipeline.label.classNames : []);
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(test.numRows);

    // The same rows as raw records give the same input vectors.
    const raw = records("penguins.json");
    const asRecords = transformRecords(pipeline, Array.from(split.test, (row) => raw[row]));
    expect(asRecords.x).toEqual(test.x);
  });

  it("seattle weather (CSV with dates): the weather from the day's measurements and date", async () => {
    const table = csvTable("seattle-weather.csv");
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ["date", "date"],
      ["precipitation", "number"],
      ["temp_max", "number"],
      ["temp_min", "number"],
      ["wind", "number"],
      ["weather", "string"],
    ]);
    expect(typesOf(table, "weather")).toMatchObject({ date: "date", weather: "category" });
    const strata = readCategories(table.columns[5]).codes;
    const split = splitRows(table.numRows, { validation: 0.2, seed: 3, strata });
    const pipeline = fitPipeline(table, { label: "weather", rows: split.train });
    expect(pipeline.outputs.filter((o) => o.column === "date").map((o) => o.name)).toEqual([
      "date year",
      "date month (sin)",
      "date month (cos)",
      "date day of week (sin)",
      "date day of week (cos)",
      "date day of year (sin)",
      "date day of year (cos)",
    ]);
    const train = transformTable(pipeline, table, split.train);
    const validation = transformTable(pipeline, table, split.validation);
    const model = await trainClassifier(train.x, train.y!, pipeline.width, 5, 9);
    const classNames = pipeline.label.task === "classification" ? pipeline.label.classNames : [];
    const metrics = classificationMetrics(validation.y!, model.predict(validation.x, validation.numRows), classNames);
    // Rain and sun are each ~44% of days: a model that learnt nothing gets about that; precipitation alone tells rain apart.
    expect(metrics.accuracy).toBeGreaterThan(0.6);
    expect(metrics.perClass.find((m) => m.name === "rain")!.recall).toBeGreaterThan(0.8);
  });

  it("cars (JSON, regression): miles per gallon, with the car's name as text and its year as a date", async () => {
    const table = tableFromRecords(records("cars.json"));
    expect(typesOf(table, "Miles_per_Gallon")).toEqual({
      Name: "text",
      Miles_per_Gallon: "number",
      Cylinders: "category",
      Displacement: "number",
      Horsepower: "number",
      Weight_in_lbs: "number",
      Acceleration: "number",
      Year: "date",
      Origin: "category",
    });
    const split = splitRows(table.numRows, { validation: 0.2, seed: 5 });
    const pipeline = fitPipeline(table, { label: "Miles_per_Gallon", rows: split.train, features: { Name: "ignore" }, options: { targetScaling: "standard" } });
    expect(pipeline.training.dropped.missingLabel).toBeGreaterThan(0);
    expect(pipeline.ignored).toEqual([{ column: "Name", reason: "ignored by request" }]);
    const train = transformTable(pipeline, table, split.train);
    const validation = transformTable(pipeline, table, split.validation);
    expect(train.numRows).toBe(split.train.length - pipeline.training.dropped.missingLabel);

    const spec: ModelSpec = { inputShape: [pipeline.width], layers: [{ type: "dense", units: 16, activation: "relu", kernelInitializer: "heNormal" }, { type: "dense", units: 1 }] };
    const config: TrainingConfig = { epochs: 80, batchSize: 16, seed: 2, loss: "meanSquaredError", optimizer: { type: "adam", learningRate: 0.01 } };
    const model = createModel(spec, config.seed);
    await fit(model, { x: train.x, y: train.y!, numSamples: train.numRows }, config);
    const label = pipeline.label;
    if (label.task !== "regression" || label.scaling.kind !== "standard") throw new Error("expected a standardized target");
    const { mean, std } = label.scaling;
    const predictions = Array.from(model.predict(validation.x, validation.numRows), (v) => v * std + mean);
    const targets = Array.from(validation.y!, (v) => v * std + mean);
    const metrics = regressionMetrics(targets, predictions);
    expect(metrics.r2).toBeGreaterThan(0.75);
    expect(metrics.mae).toBeLessThan(3.5); // miles per gallon; the targets' std is about 7.8
  });
});
