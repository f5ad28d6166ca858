import { describe, expect, it } from "vitest";
import { thrown } from "./thrown.js";
import { fitPipeline } from "../../../src/features/pipeline/fit.js";
import { transformRecords, transformTable } from "../../../src/features/pipeline/transform.js";
import type { CategoryFeature, FittedPipeline, NumberFeature } from "../../../src/features/pipeline/types.js";
import { tableFromRecords } from "../../../src/features/table-builder.js";

function feature<T>(pipeline: FittedPipeline, column: string): T {
  return pipeline.features.find((f) => f.column === column) as T;
}

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

/** x is 1..10 at the training rows 0..9, 100 at the validation rows 10..11. */
function leakTable() {
  return tableFromRecords([
    ...Array.from({ length: 10 }, (_, i) => ({ x: i + 1, color: i < 5 ? "red" : "blue", y: i % 2 ? "a" : "b" })),
    { x: 100, color: "green", y: "a" },
    { x: 100, color: "green", y: "b" },
  ]);
}

describe("fitPipeline and transformTable", () => {
  it("fits every statistic on the training rows only, never on validation rows", () => {
    const table = leakTable();
    const train = all(10);
    const pipeline = fitPipeline(table, { label: "y", rows: train, features: { color: { type: "category", minCount: 1 } } });
    const x = feature<NumberFeature>(pipeline, "x");
    // Mean and std of 1..10 computed by hand: 5.5 and sqrt(8.25). With rows 10 and 11 the mean would be 21.25.
    expect(x.scaling).toEqual({ kind: "standard", mean: 5.5, std: Math.sqrt(8.25) });
    const color = feature<CategoryFeature>(pipeline, "color");
    expect(color.categories).toEqual(["blue", "red"]);
    expect(color.other).toBe(false);

    // The validation rows go through the same pipeline: x far from the training mean, green unseen (all zeros).
    const validation = transformTable(pipeline, table, [10, 11]);
    expect(Array.from(validation.x.subarray(0, 3))).toEqual([(100 - 5.5) / Math.sqrt(8.25), 0, 0].map(Math.fround));
    expect(Array.from(validation.y!)).toEqual([0, 1]);
  });

  it("standardizes training rows to mean 0 and std 1", () => {
    const table = leakTable();
    const pipeline = fitPipeline(table, { label: "y", rows: all(10) });
    const { x, width, numRows } = transformTable(pipeline, table, all(10));
    const column = Array.from({ length: numRows }, (_, i) => x[i * width]);
    const mean = column.reduce((a, b) => a + b, 0) / numRows;
    expect(mean).toBeCloseTo(0, 6);
    expect(Math.sqrt(column.reduce((s, v) => s + (v - mean) ** 2, 0) / numRows)).toBeCloseTo(1, 6);
  });

  it("imputes missing numbers with the training mean and adds a missing indicator", () => {
    const table = tableFromRecords([{ a: 1, y: 0 }, { a: null, y: 1 }, { a: 3, y: 0 }, { a: 5, y: 1 }, { a: null, y: 0 }]);
    const pipeline = fitPipeline(table, { label: "y", rows: [0, 1, 2, 3], options: { scaling: "none" } });
    const a = feature<NumberFeature>(pipeline, "a");
    expect(a.missing).toEqual({ strategy: "mean", fill: 3, indicator: true, seen: 1 });
    expect(pipeline.outputs.map((o) => o.name)).toEqual(["a", "a (missing)"]);
    const { x } = transformTable(pipeline, table, [0, 1, 4]);
    expect(Array.from(x)).toEqual([1, 0, 3, 1, 3, 1]);
  });

  it("fills with median, most frequent or a constant, and scales by min-max", () => {
    const table = tableFromRecords([{ a: 1, y: 0 }, { a: 2, y: 1 }, { a: 2, y: 0 }, { a: 10, y: 1 }, { a: null, y: 0 }]);
    const rows = all(5);
    const fill = (missing: "median" | "mostFrequent" | "constant", fillValue?: number) =>
      feature<NumberFeature>(fitPipeline(table, { label: "y", rows, features: { a: { type: "number", missing, fillValue } } }), "a").missing.fill;
    expect(fill("median")).toBe(2);
    expect(fill("mostFrequent")).toBe(2);
    expect(fill("constant", -1)).toBe(-1);
    const minmax = fitPipeline(table, { label: "y", rows, features: { a: { type: "number", scaling: "minmax" } } });
    expect(Array.from(transformTable(minmax, table, [0, 3]).x)).toEqual([0, 0, 1, 0]);
  });

  it("drops rows with a missing label or a missing dropRow value, and counts them", () => {
    const table = tableFromRecords([{ a: 1.5, b: "x", y: "p" }, { a: 2.5, b: null, y: "q" }, { a: 3.5, b: "z", y: null }, { a: 4.5, b: "x", y: "q" }]);
    const pipeline = fitPipeline(table, { label: "y", rows: all(4), features: { b: { type: "category", missing: "dropRow", minCount: 1 } } });
    expect(pipeline.training).toEqual({ rows: 4, kept: 2, dropped: { missingLabel: 1, unknownLabel: 0, missingValue: { b: 1 } } });
    const feature_ = feature<NumberFeature>(pipeline, "a");
    expect(feature_.scaling).toEqual({ kind: "standard", mean: 3, std: 1.5 }); // rows 0 and 3 only
    const result = transformTable(pipeline, table, all(4));
    expect(Array.from(result.rowsKept)).toEqual([0, 3]);
    expect(result.dropped).toEqual({ missingLabel: 1, unknownLabel: 0, missingValue: { b: 1 } });
    expect(() => transformTable(pipeline, table, all(4), { onMissing: "error" })).toThrow(/row 2, column b: missing value/);
  });

  it("puts rare and unseen categories in the other bucket, and caps the width", () => {
    const records = [
      ...Array.from({ length: 6 }, () => ({ c: "common", y: 0 })),
      ...Array.from({ length: 4 }, () => ({ c: "usual", y: 1 })),
      { c: "rare", y: 0 },
      { c: "rare", y: 1 },
    ];
    const table = tableFromRecords(records);
    const pipeline = fitPipeline(table, { label: "y", rows: all(12), features: { c: "category" } });
    const c = feature<CategoryFeature>(pipeline, "c");
    expect(c).toMatchObject({ categories: ["common", "usual"], other: true, width: 3 });
    expect(pipeline.outputs.map((o) => o.name)).toEqual(["c=common", "c=usual", "c=(other)"]);
    const predicted = transformRecords(pipeline, [{ c: "usual" }, { c: "rare" }, { c: "never seen" }, { c: null }]);
    expect(Array.from(predicted.x)).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0]); // missing -> most frequent

    const capped = feature<CategoryFeature>(fitPipeline(table, { label: "y", rows: all(12), features: { c: { type: "category", maxCategories: 1, minCount: 1 } } }), "c");
    expect(capped).toMatchObject({ categories: ["common"], other: true, width: 2 });
  });

  it("encodes binary columns as 0/1 with the yes-value as 1", () => {
    const table = tableFromRecords([{ s: "no", b: true, y: 1 }, { s: "yes", b: false, y: 0 }, { s: "no", b: true, y: 0 }]);
    const pipeline = fitPipeline(table, { label: "y", rows: all(3) });
    expect(pipeline.outputs.map((o) => o.name)).toEqual(["s=yes", "b=true"]);
    expect(Array.from(transformTable(pipeline, table, all(3)).x)).toEqual([0, 1, 1, 0, 0, 1]);
    expect(thrown(() => transformRecords(pipeline, [{ s: "yes", b: true }, { s: "maybe", b: true }]))).toMatchObject({ code: "TYPE_MISMATCH", row: 1, column: "s" });
  });

  it("expands dates into a scaled year and cycles of month, weekday, day of year and hour", () => {
    const table = tableFromRecords([
      { t: "2020-01-01T06:00:00Z", y: 0 },
      { t: "2021-07-02T18:00:00Z", y: 1 },
      { t: "2022-01-01T00:00:00Z", y: 0 },
    ]);
    const pipeline = fitPipeline(table, { label: "y", rows: all(3) });
    expect(pipeline.outputs.map((o) => o.encoding)).toEqual(["year", "monthSin", "monthCos", "weekdaySin", "weekdayCos", "yearDaySin", "yearDayCos", "hourSin", "hourCos"]);
    const { x } = transformTable(pipeline, table, [0]);
    // 2020-01-01 06:00 UTC: January (turn 0), a Wednesday (3/7), day 1 of the year, 6 o'clock (turn 1/4).
    const turn = (t: number) => [Math.sin(2 * Math.PI * t), Math.cos(2 * Math.PI * t)];
    expect(Array.from(x.subarray(1))).toEqual([...turn(0), ...turn(3 / 7), ...turn(0), ...turn(0.25)].map(Math.fround));
    const years = [2020 + 0.25 / 366, 2021 + (182 + 0.75) / 365, 2022];
    const mean = years.reduce((a, b) => a + b) / 3;
    const std = Math.sqrt(years.reduce((s, y) => s + (y - mean) ** 2, 0) / 3);
    expect(x[0]).toBeCloseTo((years[0] - mean) / std, 5);
  });

  it("hashes text into a fixed number of buckets, the same words to the same buckets", () => {
    const table = tableFromRecords([
      { review: "Great product, great price", y: 1 },
      { review: "terrible product", y: 0 },
      { review: null, y: 0 },
    ]);
    const pipeline = fitPipeline(table, { label: "y", rows: all(3), features: { review: { type: "text", buckets: 64 } } });
    expect(pipeline.width).toBe(65); // 64 buckets and the missing indicator
    const { x } = transformTable(pipeline, table, all(3));
    const row = (i: number) => Array.from(x.subarray(i * 65, i * 65 + 64));
    expect(row(0).filter((v) => v > 0).length).toBeLessThanOrEqual(3);
    expect(row(0).reduce((a, b) => a + b, 0)).toBeCloseTo(Math.log1p(2) + 2 * Math.log1p(1), 5); // great x2, product, price (no collision)
    expect(row(2).every((v) => v === 0)).toBe(true);
    expect(x[2 * 65 + 64]).toBe(1);
    // Case and punctuation do not matter; the same text in a record gives the same vector.
    const again = transformRecords(pipeline, [{ review: "GREAT product great, PRICE!" }]);
    expect(Array.from(again.x.subarray(0, 64))).toEqual(row(0));
  });

  it("takes class names from the training rows, sorted, and drops unknown labels at transform", () => {
    const table = tableFromRecords([{ a: 0.1, y: 10 }, { a: 0.2, y: 2 }, { a: 0.3, y: 2 }, { a: 0.4, y: 10 }, { a: 0.5, y: 7 }]);
    const pipeline = fitPipeline(table, { label: "y", rows: all(4) });
    expect(pipeline.label).toEqual({ column: "y", task: "classification", classNames: ["2", "10"], classCounts: [2, 2] });
    const result = transformTable(pipeline, table, all(5));
    expect(Array.from(result.y!)).toEqual([1, 0, 0, 1]);
    expect(result.dropped.unknownLabel).toBe(1);
  });

  it("keeps regression targets in their units by default, and scales them when asked", () => {
    const table = tableFromRecords(Array.from({ length: 20 }, (_, i) => ({ a: i + 0.5, y: 100 + i * 1.5 })));
    const plain = fitPipeline(table, { label: "y", rows: all(20) });
    expect(plain.label.task).toBe("regression");
    expect(Array.from(transformTable(plain, table, [3]).y!)).toEqual([104.5]);
    const scaled = fitPipeline(table, { label: "y", rows: all(20), options: { targetScaling: "standard" } });
    if (scaled.label.task !== "regression" || scaled.label.scaling.kind !== "standard") throw new Error("expected a scaled target");
    expect(transformTable(scaled, table, [3]).y![0]).toBeCloseTo((104.5 - scaled.label.scaling.mean) / scaled.label.scaling.std, 5);
  });

  it("refuses what it cannot fit, naming the column", () => {
    const table = tableFromRecords([{ a: 1.5, b: null, y: "p" }, { a: 2.5, b: 3.5, y: "q" }, { a: 3.5, b: 4.5, y: "q" }]);
    expect(thrown(() => fitPipeline(table, { label: "nope", rows: all(3) }))).toMatchObject({ code: "UNKNOWN_COLUMN", column: "nope" });
    expect(thrown(() => fitPipeline(table, { label: "y", rows: all(3), features: { b: { missing: "none" } } }))).toMatchObject({ code: "MISSING_VALUE", row: 0, column: "b" });
    expect(thrown(() => fitPipeline(table, { label: "y", rows: all(3), features: { a: { missing: "mean", buckets: 3 } } }))).toMatchObject({ code: "BAD_OPTION", column: "a" });
    expect(thrown(() => fitPipeline(table, { label: "y", rows: all(3), features: { a: { scale: "none" } as never } }))).toMatchObject({ code: "BAD_OPTION", column: "a" });
    expect(thrown(() => fitPipeline(table, { label: "y", rows: [0, 7] }))).toMatchObject({ code: "BAD_OPTION" });
    expect(thrown(() => fitPipeline(table, { label: "y", rows: [1, 2] }))).toMatchObject({ code: "NO_DATA", column: "y" });
    expect(thrown(() => fitPipeline(table, { label: "y", rows: all(3), features: { a: { type: "category", missing: "mean" } } }))).toMatchObject({ code: "BAD_OPTION", column: "a" });
    const withId = tableFromRecords([{ id: 1, a: 0.5, y: "p" }, { id: 2, a: 0.7, y: "q" }, { id: 3, a: 0.1, y: "q" }]);
    expect(thrown(() => fitPipeline(withId, { label: "y", rows: all(3), features: { id: { missing: "median" } } })).message).toMatch(/column id: the column is ignored \(inferred: unique whole numbers/);
  });
});

describe("transformRecords", () => {
  const table = tableFromRecords([
    { mass: 3750, island: "Biscoe", sex: "MALE", species: "Adelie" },
    { mass: 3800, island: "Dream", sex: "FEMALE", species: "Adelie" },
    { mass: 5000, island: "Biscoe", sex: "MALE", species: "Gentoo" },
    { mass: 4000, island: "Torgersen", sex: null, species: "Adelie" },
  ]);
  const pipeline = fitPipeline(table, { label: "species", rows: all(4), features: { island: { type: "category", minCount: 1 } } });

  it("gives the same vector for a record as for the stored row it repeats", () => {
    const stored = transformTable(pipeline, table, [1]);
    const raw = transformRecords(pipeline, [{ island: "Dream", mass: "3800", sex: "FEMALE", species: "ignored", extra: 1 }]);
    expect(Array.from(raw.x)).toEqual(Array.from(stored.x));
    expect(raw.y).toBeUndefined();
  });

  it("imputes left-out keys and nulls as in training", () => {
    const raw = transformRecords(pipeline, [{}]);
    const mass = feature<NumberFeature>(pipeline, "mass");
    expect(raw.x[mass.offset]).toBe(0); // the mean, standardized
  });

  it("names the row and column of a value of the wrong kind", () => {
    const error = thrown(() => transformRecords(pipeline, [{ mass: 4000 }, { mass: "heavy" }]));
    expect(error).toMatchObject({ code: "TYPE_MISMATCH", row: 1, column: "mass" });
    expect(error.message).toBe('row 2, column mass: "heavy" is not a number');
    expect(thrown(() => transformRecords(pipeline, [{ mass: true }]))).toMatchObject({ code: "TYPE_MISMATCH", row: 0, column: "mass" });
    expect(thrown(() => transformRecords(pipeline, [{ mass: { kg: 4 } }]))).toMatchObject({ code: "BAD_CELL", row: 0, column: "mass" });
  });

  it("refuses a missing value the model cannot fill, naming the column", () => {
    const strict = fitPipeline(table, { label: "species", rows: all(4), features: { island: { type: "category", missing: "none" } } });
    expect(thrown(() => transformRecords(strict, [{ mass: 4000, island: "Dream" }, { mass: 4000 }]))).toMatchObject({ code: "MISSING_VALUE", row: 1, column: "island" });
  });

  it("names a column the pipeline needs that another table lacks", () => {
    const other = tableFromRecords([{ mass: 1, sex: "MALE", species: "Adelie" }]);
    const error = thrown(() => transformTable(pipeline, other, [0]));
    expect(error).toMatchObject({ code: "UNKNOWN_COLUMN", column: "island" });
    expect(error.message).toBe('column island: there is no column "island"; the columns are mass, sex, species');
  });

  it("reads labels too when asked (evaluation on raw rows)", () => {
    const raw = transformRecords(pipeline, [{ mass: 1, species: "Gentoo" }, { mass: 1 }], { labels: true });
    expect(Array.from(raw.y!)).toEqual([1]);
    expect(raw.dropped.missingLabel).toBe(1);
  });
});
