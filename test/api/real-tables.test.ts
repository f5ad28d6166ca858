import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

// Three public tables from the vega-datasets package, uploaded as they are
// (a JSON array with nulls and strings, a CSV with a date column, NDJSON for
// a regression with nulls and a year as a date), trained with no hand
// preprocessing, and predicted on raw rows. Each must beat the baseline a
// model that ignores its features would reach (majority class, mean target).

const data = join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data");
const read = (file: string) => readFileSync(join(data, file), "utf8");

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.close());

async function upload(query: string, contentType: string, body: string) {
  const res = await ctx.app.inject({ method: "POST", url: `/v1/datasets?${query}`, headers: { "content-type": contentType }, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** Trains a job in this process (the worker's own code) and returns it with its model. */
async function train(datasetId: string, model: object, training: object) {
  const res = await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: { datasetId, model, training } });
  expect(res.statusCode, res.body).toBe(202);
  const outcome = await createTrainingRunner({ db: ctx.db }).run(res.json().id, { lastDelivery: true });
  expect(outcome.status).toBe("succeeded");
  const job = (await ctx.app.inject({ url: `/v1/jobs/${res.json().id}` })).json();
  const trained = (await ctx.app.inject({ url: `/v1/models/${job.resultModelId}` })).json();
  return { job, model: trained };
}

const predict = async (modelId: string, rows: object[]) => {
  const res = await ctx.app.inject({ method: "POST", url: `/v1/models/${modelId}/predict`, payload: { rows } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

const mlp = (outputs: number, activation: string) => ({ layers: [{ type: "dense", units: 32, activation: "relu" }, { type: "dense", units: outputs, activation }] });
const classifier = (epochs: number) => ({ epochs, batchSize: 16, seed: 3, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, validationSplit: 0.15, testSplit: 0.2 });

describe("real tables, from the raw files", () => {
  it("penguins (JSON array, nulls, strings): species from measurements, island and sex", async () => {
    const records = JSON.parse(read("penguins.json")) as Record<string, unknown>[];
    const dataset = await upload("label=Species&name=penguins", "application/json", JSON.stringify(records));
    expect(dataset).toMatchObject({ kind: "table", labelColumn: "Species", numClasses: 3, classNames: ["Adelie", "Chinstrap", "Gentoo"] });
    const types = Object.fromEntries(dataset.columns.map((c: { name: string; type: string }) => [c.name, c.type]));
    expect(types).toMatchObject({ Island: "category", "Beak Length (mm)": "number", "Body Mass (g)": "number", Sex: "category" });
    expect(dataset.columns.find((c: { name: string }) => c.name === "Beak Length (mm)").missing).toBe(2);

    const { model } = await train(dataset.id, mlp(3, "softmax"), classifier(40));
    const test = model.metrics.test;
    const majority = Math.max(152, 68, 124) / 344;
    console.log(`penguins: test accuracy ${test.accuracy.toFixed(3)} on ${test.samples} rows (majority baseline ${majority.toFixed(3)}), macro F1 ${test.macroF1.toFixed(3)}`);
    expect(test.task).toBe("classification");
    expect(test.accuracy).toBeGreaterThan(0.9);
    expect(test.accuracy).toBeGreaterThan(majority + 0.3);
    expect(model.pipeline.outputs.map((o: { name: string }) => o.name)).toContain("Island=Biscoe");

    // Raw rows: a row with nulls, one with an unseen island, one without Sex at all.
    const rows = [records[0], { ...records[200], Island: "Atlantis" }, { "Beak Length (mm)": 46.5, "Beak Depth (mm)": 15, "Flipper Length (mm)": 215, "Body Mass (g)": 5200, Island: "Biscoe" }];
    const answer = await predict(model.id, rows);
    expect(answer.classNames).toHaveLength(3);
    expect(answer.classNames[0]).toBe(records[0].Species);
    expect(Object.keys(answer.probabilities[2]).sort()).toEqual(["Adelie", "Chinstrap", "Gentoo"]);
    expect(Object.values(answer.probabilities[2] as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it("seattle weather (CSV with a date column): the weather of a day", async () => {
    const dataset = await upload("label=weather&name=seattle-weather", "text/csv", read("seattle-weather.csv"));
    expect(dataset.columns.find((c: { name: string }) => c.name === "date").type).toBe("date");
    const counts = dataset.classCounts as number[];
    const majority = Math.max(...counts) / counts.reduce((a, b) => a + b, 0);
    const { model } = await train(dataset.id, mlp(5, "softmax"), classifier(30));
    const test = model.metrics.test;
    console.log(`seattle-weather: test accuracy ${test.accuracy.toFixed(3)} on ${test.samples} rows (majority baseline ${majority.toFixed(3)})`);
    expect(test.accuracy).toBeGreaterThan(majority + 0.2);
    const answer = await predict(model.id, [{ date: "2015-07-01", precipitation: 0, temp_max: 30, temp_min: 15, wind: 2 }]);
    expect(dataset.classNames).toContain(answer.classNames[0]);
  });

  it('seattle weather with classWeight "balanced": the rare kinds of weather are found more often', async () => {
    const dataset = await upload("label=weather&name=seattle-weather-balanced", "text/csv", read("seattle-weather.csv"));
    const plain = (await train(dataset.id, mlp(5, "softmax"), classifier(30))).model.metrics.test;
    const balanced = (await train(dataset.id, mlp(5, "softmax"), { ...classifier(30), classWeight: "balanced" })).model.metrics.test;
    const macroRecall = (test: { perClass: { recall: number }[] }) => test.perClass.reduce((sum, c) => sum + c.recall, 0) / test.perClass.length;
    console.log(`seattle-weather: macro recall ${macroRecall(plain).toFixed(3)} unweighted, ${macroRecall(balanced).toFixed(3)} balanced; macro F1 ${plain.macroF1.toFixed(3)} / ${balanced.macroF1.toFixed(3)}; accuracy ${plain.accuracy.toFixed(3)} / ${balanced.accuracy.toFixed(3)}`);
    // Measured: 0.511 -> 0.600 (fog's recall 0.05 -> 0.55), for some accuracy on the common kinds.
    expect(macroRecall(balanced)).toBeGreaterThan(macroRecall(plain) + 0.05);
  });

  it("cars (NDJSON, regression, nulls, the year as a date): miles per gallon", async () => {
    const cars = JSON.parse(read("cars.json")) as Record<string, unknown>[];
    const ndjson = cars.map((car) => JSON.stringify(car)).join("\n");
    const dataset = await upload("label=Miles_per_Gallon&name=cars&ignore=Name", "application/x-ndjson", ndjson);
    expect(dataset).toMatchObject({ task: "regression", rowsWithoutLabel: 8, numSamples: 398 });
    expect(dataset.columns.find((c: { name: string }) => c.name === "Year").type).toBe("date");
    expect(dataset.columns.find((c: { name: string }) => c.name === "Name").type).toBe("ignore");

    const training = { epochs: 60, batchSize: 16, seed: 5, loss: "meanSquaredError", optimizer: { type: "adam", learningRate: 0.01 }, validationSplit: 0.15, testSplit: 0.2 };
    const { model } = await train(dataset.id, mlp(1, "linear"), training);
    const test = model.metrics.test;
    const mpg = cars.map((car) => car.Miles_per_Gallon).filter((v): v is number => typeof v === "number");
    const mean = mpg.reduce((a, b) => a + b, 0) / mpg.length;
    const meanBaseline = mpg.reduce((a, b) => a + Math.abs(b - mean), 0) / mpg.length;
    console.log(`cars: test MAE ${test.mae.toFixed(2)} mpg, RMSE ${test.rmse.toFixed(2)}, R² ${test.r2.toFixed(3)} on ${test.samples} rows (mean baseline MAE ${meanBaseline.toFixed(2)})`);
    expect(test.task).toBe("regression");
    expect(test.mae).toBeLessThan(meanBaseline * 0.5);
    expect(test.r2).toBeGreaterThan(0.7);
    // Each epoch reports the mean absolute error beside its loss.
    const metrics = (await ctx.app.inject({ url: `/v1/jobs/${model.sourceJobId}/metrics` })).json().data as { mae: number; valMae: number }[];
    expect(metrics.every((m) => m.mae > 0 && m.valMae > 0)).toBe(true);
    expect(metrics.at(-1)!.valMae).toBeLessThan(metrics[0].valMae);
    const answer = await predict(model.id, [{ ...cars[0], Horsepower: null }]);
    expect(answer.values[0]).toBeGreaterThan(5);
    expect(answer.values[0]).toBeLessThan(50);
  });

  it('bird strikes (CSV): "None", the commonest damage, is a missing marker by default; ?missing= makes it a class', async () => {
    const csv = read("birdstrikes.csv");
    const damage = "Effect Amount of damage";
    const labelOf = (dataset: { columns: { name: string; missingAs?: Record<string, number> }[] }) => dataset.columns.find((c) => c.name === damage)!;

    // By default (as pandas reads it), "None" means no value: 8,939 of 10,000 rows have no label, and the report says so first.
    const byDefault = await upload(`label=${encodeURIComponent(damage)}&name=birdstrikes`, "text/csv", csv);
    expect(byDefault).toMatchObject({ rowsWithoutLabel: 8939, numSamples: 1061 });
    expect(byDefault.missingMarkers).toContain("none"); // compared case-insensitively
    expect(labelOf(byDefault).missingAs).toEqual({ None: 8939 });
    const warning = (await ctx.app.inject({ url: `/v1/datasets/${byDefault.id}` })).json().report.warnings[0] as string;
    expect(warning).toContain("8939 of 10000 rows (89%) have no label");
    expect(warning).toContain('"None" (8939) is a missing marker');
    expect(warning).toContain("?missing=");

    // With the user's own markers, "None" is a value: every row is labelled, and "None" is the largest class.
    const asValue = await upload(`label=${encodeURIComponent(damage)}&name=birdstrikes&missing=NA,null`, "text/csv", csv);
    expect(asValue).toMatchObject({ rowsWithoutLabel: 0, numSamples: 10000, missingMarkers: ["NA", "null"] });
    expect(asValue.classCounts[asValue.classNames.indexOf("None")]).toBe(8939);
    expect(labelOf(asValue).missingAs).toBeUndefined();
    expect(asValue.columns.find((c: { name: string }) => c.name === "Speed IAS in knots").missing).toBe(2836); // empty cells stay missing

    const { model } = await train(asValue.id, mlp(asValue.numClasses, "softmax"), { ...classifier(3), batchSize: 64 });
    expect(model.pipeline.missingMarkers).toEqual(["NA", "null"]);
    expect(model.metrics.test.accuracy).toBeGreaterThan(0.85); // "None" is 89% of the rows
    // Predictions read rows with the dataset's markers: "NA" is missing, "None" is not a number.
    const [row] = csv.split("\n").slice(1, 2).map((line) => Object.fromEntries(csv.split("\n")[0].split(",").map((name, i) => [name, line.split(",")[i]])));
    expect((await predict(model.id, [{ ...row, "Speed IAS in knots": "NA" }])).classNames).toHaveLength(1);
    const refused = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, payload: { rows: [{ ...row, "Speed IAS in knots": "None" }] } });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().errors[0].path).toContain("Speed IAS in knots");
  });

  it("a European CSV (';'-separated, decimal commas) and a tab-separated one, and predictions on rows written the same way", async () => {
    const lines = ["ville;temp\u00e9rature;pluie;soleil"];
    for (let i = 0; i < 120; i++) {
      const temperature = (5 + (i % 20)).toFixed(1).replace(".", ",");
      const rain = ((i * 7) % 10 / 4).toFixed(2).replace(".", ",");
      lines.push(`ville${i % 6};${temperature};${rain};${i % 20 > 9 ? "oui" : "non"}`);
    }
    const european = await upload("label=soleil&name=meteo", "text/csv", lines.join("\r\n"));
    expect(european).toMatchObject({ decimal: ",", numSamples: 120, classNames: ["non", "oui"] });
    const types = Object.fromEntries(european.columns.map((c: { name: string; type: string }) => [c.name, c.type]));
    expect(types).toMatchObject({ ville: "category", "temp\u00e9rature": "number", pluie: "number" });
    expect(european.columns.find((c: { name: string }) => c.name === "temp\u00e9rature").stats).toMatchObject({ min: 5, max: 24 });

    const { model } = await train(european.id, mlp(2, "softmax"), { ...classifier(40), validationSplit: 0 });
    expect(model.pipeline.decimal).toBe(",");
    const csvRows = "ville;temp\u00e9rature;pluie\nville1;22,5;0,25\nville2;6,0;1,5\n";
    const res = await ctx.app.inject({ method: "POST", url: `/v1/models/${model.id}/predict`, headers: { "content-type": "text/csv" }, payload: csvRows });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().classNames).toEqual(["oui", "non"]); // warm days are sunny in this table
    const [asText, asNumber] = (await predict(model.id, [{ "temp\u00e9rature": "22,5" }, { "temp\u00e9rature": 22.5 }])).outputs;
    expect(asText).toEqual(asNumber); // "22,5" in a JSON row is 22.5 too

    const tabs = await upload("label=soleil&name=meteo-tabs", "text/csv", lines.join("\n").replaceAll(";", "\t").replaceAll(",", "."));
    expect(tabs).toMatchObject({ decimal: ".", numSamples: 120 });
    expect(tabs.columns.find((c: { name: string }) => c.name === "pluie").type).toBe("number");
    const given = await ctx.app.inject({ method: "POST", url: "/v1/datasets?label=soleil&delimiter=comma", headers: { "content-type": "text/csv" }, payload: lines.join("\n") });
    expect(given.statusCode).toBe(400); // told it is comma-separated, the header is one column
  });

  it("spreadsheet habits: thousands separators and day-first dotted dates, at upload and in rows to predict", async () => {
    const lines = ["bestellt,betrag,label"];
    for (let i = 0; i < 60; i++) lines.push(`${1 + (i % 28)}.${1 + (i % 12)}.${2019 + (i % 3)},"${1 + (i % 9)},${String(500 + i * 7).slice(-3)}",${i % 9 > 4 ? "big" : "small"}`);
    const dataset = await upload("label=label&name=spreadsheet", "text/csv", lines.join("\n"));
    const types = Object.fromEntries(dataset.columns.map((c: { name: string; type: string }) => [c.name, c.type]));
    expect(types).toMatchObject({ bestellt: "date", betrag: "number" });
    const { model } = await train(dataset.id, mlp(2, "softmax"), { ...classifier(30), validationSplit: 0 });
    const answer = await predict(model.id, [{ bestellt: "05.06.2020", betrag: "8,250" }, { bestellt: "05.06.2020", betrag: 8250 }]);
    expect(answer.outputs[0]).toEqual(answer.outputs[1]); // "8,250" is 8250
  });

  it("US dates (M/D/YYYY): text with a hint by default, dates with ?dateOrder=mdy, in rows to predict too", async () => {
    const lines = ["ordered,amount,label"];
    for (let i = 0; i < 60; i++) lines.push(`${1 + (i % 12)}/${1 + ((i * 7) % 28)}/${2019 + (i % 3)},${(i * 37) % 101},${i % 12 > 5 ? "late" : "early"}`);
    const byDefault = await upload("label=label&name=us-dates", "text/csv", lines.join("\n"));
    const ordered = byDefault.columns.find((c: { name: string }) => c.name === "ordered");
    expect(ordered.type).not.toBe("date");
    expect(ordered.reason).toContain("?dateOrder=mdy");

    const dataset = await upload("label=label&name=us-dates&dateOrder=mdy", "text/csv", lines.join("\n"));
    expect(dataset).toMatchObject({ dateOrder: "mdy" });
    expect(dataset.columns.find((c: { name: string }) => c.name === "ordered")).toMatchObject({ type: "date", stats: { min: "2019-01-01", max: "2021-12-22" } });
    const { model } = await train(dataset.id, mlp(2, "softmax"), { ...classifier(30), validationSplit: 0 });
    expect(model.pipeline.dateOrder).toBe("mdy");
    const answer = await predict(model.id, [{ ordered: "6/5/2020", amount: 3 }, { ordered: "2020-06-05", amount: 3 }]);
    expect(answer.outputs[0]).toEqual(answer.outputs[1]); // 6/5/2020 is June 5th here
  });

  it("a JSON table's own missing markers: none at all keeps every text a value", async () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ x: i % 4, y: i % 2 === 0 ? "None" : "-" }));
    const dataset = await upload("", "application/json", JSON.stringify({ name: "markers", label: "y", rows, missing: [] }));
    expect(dataset).toMatchObject({ rowsWithoutLabel: 0, classNames: ["-", "None"], missingMarkers: [] });
    const bad = await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { label: "y", rows, missing: ["x".repeat(65)] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toContain("/missing/0");
  });
});
