import { describe, expect, it } from "vitest";
import { thrown } from "./thrown.js";
import { inferColumnTypes, type ColumnReport } from "../../../src/features/infer-types.js";
import { TableBuilder, tableFromRecords } from "../../../src/features/table-builder.js";

function byName(reports: ColumnReport[]): Record<string, ColumnReport> {
  return Object.fromEntries(reports.map((report) => [report.name, report]));
}

/** 40 rows of every kind of column, with a few missing values. */
function sample() {
  const builder = new TableBuilder({ columns: ["id", "height", "color", "smoker", "flag", "visit", "stamp", "review", "code", "constant", "stars", "empty"] });
  const colors = ["red", "green", "blue"];
  for (let i = 0; i < 40; i++) {
    builder.addRow([
      String(i + 1),
      i === 3 ? "NA" : String(150 + ((i * 7) % 40) + 0.5),
      colors[i % 3],
      i % 2 ? "yes" : "no",
      String(i % 2),
      `2020-01-${String((i % 28) + 1).padStart(2, "0")}`,
      `2020-01-01T${String(i % 24).padStart(2, "0")}:00:00Z`,
      `this is review number ${i} of the product`,
      `C${1000 + i}`,
      "same",
      String((i % 5) + 1),
      "",
    ]);
  }
  return builder.finish();
}

describe("inferColumnTypes", () => {
  it("reads numbers with thousands separators as numbers, at upload and in rows to predict", () => {
    const table = tableFromRecords(Array.from({ length: 30 }, (_, i) => ({ amount: i % 3 === 0 ? 950 + i : `${1 + i},${String(100 + i).slice(-3)}`, codes: `${i % 4},${i % 5}`, y: i % 2 })));
    const reports = byName(inferColumnTypes(table, { label: "y" }));
    expect(reports.amount).toMatchObject({ type: "number", reason: expect.stringContaining("thousands separators") });
    expect(reports.amount.type === "number" && reports.amount.stats).toMatchObject({ min: 950, max: 30_129 });
    expect(reports.codes.type).not.toBe("number"); // "1,2": not groups of three digits
  });

  it("infers each column's type, with the reason", () => {
    const reports = byName(inferColumnTypes(sample()));
    expect(Object.fromEntries(Object.values(reports).map((r) => [r.name, r.type]))).toEqual({
      id: "ignore",
      height: "number",
      color: "category",
      smoker: "binary",
      flag: "binary",
      visit: "date",
      stamp: "datetime",
      review: "text",
      code: "ignore",
      constant: "ignore",
      stars: "category",
      empty: "ignore",
    });
    expect(reports.id.reason).toMatch(/row number or an id/);
    expect(reports.code.reason).toMatch(/an id or a code/);
    expect(reports.constant.reason).toMatch(/one value/);
    expect(reports.empty.reason).toMatch(/no values/);
  });

  it("reports statistics per type", () => {
    const reports = byName(inferColumnTypes(sample()));
    const height = reports.height;
    if (height.type !== "number") throw new Error("height is a number");
    const heights = Array.from({ length: 40 }, (_, i) => 150 + ((i * 7) % 40) + 0.5).filter((_, i) => i !== 3);
    const mean = heights.reduce((a, b) => a + b, 0) / heights.length;
    expect(height.missing).toBe(1);
    expect(height.count).toBe(39);
    expect(height.stats.min).toBe(Math.min(...heights));
    expect(height.stats.max).toBe(Math.max(...heights));
    expect(height.stats.mean).toBeCloseTo(mean, 10);
    expect(height.stats.std).toBeCloseTo(Math.sqrt(heights.reduce((s, h) => s + (h - mean) ** 2, 0) / heights.length), 10);
    const sorted = [...heights].sort((a, b) => a - b);
    expect(height.stats.quantiles.p50).toBe(sorted[19]);

    const color = reports.color;
    expect(color.type === "category" && color.stats).toEqual({ distinct: 3, top: [{ value: "red", count: 14 }, { value: "blue", count: 13 }, { value: "green", count: 13 }] });
    const visit = reports.visit;
    expect(visit.type === "date" && visit.stats).toEqual({ count: 40, min: "2020-01-01", max: "2020-01-28" });
    const review = reports.review;
    expect(review.type === "text" && review.stats.meanWords).toBe(8);
  });

  it("treats the label as a class or a target, never as an id", () => {
    const table = tableFromRecords(Array.from({ length: 30 }, (_, i) => ({ n: i, digit: i % 10, price: i * 1.5, name: ["a", "b", "c"][i % 3] })));
    expect(inferColumnTypes(table, { label: "n" }).find((r) => r.name === "n")).toMatchObject({ type: "number", label: true });
    expect(inferColumnTypes(table, { label: "digit" }).find((r) => r.name === "digit")?.type).toBe("category");
    expect(inferColumnTypes(table, { label: "name" }).find((r) => r.name === "name")?.type).toBe("category");
  });

  it("applies overrides and ignores, checking every value", () => {
    const table = sample();
    const reports = byName(inferColumnTypes(table, { overrides: { stars: "number", code: "category", id: "number" }, ignore: ["review"] }));
    expect(reports.stars).toMatchObject({ type: "number", reason: "override" });
    expect(reports.code).toMatchObject({ type: "category", reason: "override" });
    expect(reports.id.type).toBe("number");
    expect(reports.review).toMatchObject({ type: "ignore", reason: "ignored by request" });
  });

  it("refuses an override that cannot hold, naming the column and a row", () => {
    const table = tableFromRecords([{ a: "1" }, { a: "2" }, { a: "abc" }, { a: "3" }]);
    expect(table.columns[0].kind).toBe("string");
    const error = thrown(() => inferColumnTypes(table, { overrides: { a: "number" } }));
    expect(error).toMatchObject({ code: "TYPE_MISMATCH", column: "a", row: 2 });
    expect(error.message).toBe('row 3, column a: "abc" is not a number');

    expect(thrown(() => inferColumnTypes(sample(), { overrides: { color: "binary" } }))).toMatchObject({ code: "TYPE_MISMATCH", column: "color", row: 2 });
    expect(thrown(() => inferColumnTypes(sample(), { overrides: { color: "date" } }))).toMatchObject({ code: "TYPE_MISMATCH", column: "color", row: 0 });
    expect(thrown(() => inferColumnTypes(sample(), { overrides: { visit: "text" } }))).toMatchObject({ code: "TYPE_MISMATCH", column: "visit" });
  });

  it("refuses unknown columns and unknown types", () => {
    expect(thrown(() => inferColumnTypes(sample(), { overrides: { nope: "number" } }))).toMatchObject({ code: "UNKNOWN_COLUMN", column: "nope" });
    expect(thrown(() => inferColumnTypes(sample(), { ignore: ["nope"] }))).toMatchObject({ code: "UNKNOWN_COLUMN" });
    expect(thrown(() => inferColumnTypes(sample(), { overrides: { height: "float" as never } }))).toMatchObject({ code: "BAD_OPTION", column: "height" });
    expect(thrown(() => inferColumnTypes(sample(), { label: "height", ignore: ["height"] }))).toMatchObject({ code: "BAD_OPTION" });
  });

  it("does not make a category of a column with more distinct strings than the cap", () => {
    const builder = new TableBuilder({ columns: ["word", "sentence"] });
    for (let i = 0; i < 70_000; i++) builder.addRow([`w${i % 68_000}`, `words ${i} and more`]);
    const reports = byName(inferColumnTypes(builder.finish()));
    expect(reports.word.type).toBe("ignore");
    expect(reports.sentence.type).toBe("text");
    expect(reports.sentence.type === "text" && reports.sentence.stats.distinctCapped).toBe(true);
    // Below the dictionary cap but above the category cap: still not a category.
    const few = new TableBuilder({ columns: ["w"] });
    for (let i = 0; i < 5000; i++) few.addRow([`w${i % 1500}`]);
    expect(inferColumnTypes(few.finish())[0].type).toBe("ignore");
  });
});
