import { describe, expect, it } from "vitest";
import { decodePipeline, fitPipeline, tableFromRecords, transformRecords, transformTable } from "../../../src/features/index.js";

// encoding "ids": a category as one column of 1 + its rank by frequency, 0 for
// any value the pipeline does not keep (rare, unseen, missing without a fill).

const table = tableFromRecords(
  ["b", "a", "b", "c", "b", "a", null, "rare"].map((city, i) => ({ city, n: i, y: i % 2 })),
);
const fit = (config: Record<string, unknown> = {}) =>
  fitPipeline(table, { label: "y", rows: Int32Array.from({ length: 8 }, (_, i) => i), task: "regression", features: { city: { type: "category", encoding: "ids", minCount: 1, ...config } } });

describe("category ids", () => {
  it("writes 1 + the value's rank (most frequent first), 0 for the others", () => {
    const pipeline = fit({ maxCategories: 3, missing: "constant", fillValue: "zzz", missingIndicator: "never" });
    const city = pipeline.features.find((f) => f.column === "city")!;
    expect(city).toMatchObject({ type: "category", encoding: "ids", width: 1, categories: ["b", "a", "c"], other: true });
    expect(pipeline.outputs[city.offset]).toEqual({ name: "city (id)", column: "city", encoding: "categoryId" });
    const x = transformTable(pipeline, table, Int32Array.from({ length: 8 }, (_, i) => i)).x;
    const ids = Array.from({ length: 8 }, (_, row) => x[row * pipeline.width + city.offset]);
    // b a b c b a (missing -> "zzz", not kept) rare (past maxCategories)
    expect(ids).toEqual([1, 2, 1, 3, 1, 2, 0, 0]);
    expect(transformRecords(pipeline, [{ city: "never seen", n: 1 }]).x[city.offset]).toBe(0);
  });

  it("keeps a missing value's indicator beside the ids, and fills with the most frequent value by default", () => {
    const pipeline = fit({ missingIndicator: "always" });
    const city = pipeline.features.find((f) => f.column === "city")!;
    expect(city.width).toBe(2);
    const x = transformRecords(pipeline, [{ city: null, n: 0 }]).x;
    expect([x[city.offset], x[city.offset + 1]]).toEqual([1, 1]); // "b", the most frequent, and missing
  });

  it("round-trips through decodePipeline, and is refused for other column types", () => {
    const pipeline = fit();
    expect(decodePipeline(JSON.parse(JSON.stringify(pipeline)))).toEqual(pipeline);
    const broken = JSON.parse(JSON.stringify(pipeline));
    broken.features.find((f: { column: string }) => f.column === "city").encoding = "hashed";
    expect(() => decodePipeline(broken)).toThrow(/encoding/);
    expect(() => fitPipeline(table, { label: "y", rows: [0, 1, 2], task: "regression", features: { n: { type: "number", encoding: "ids" } } })).toThrow(/encoding ids is for category columns/);
  });
});
