import { describe, expect, it } from "vitest";
import { decodePipeline, fitPipeline, tableFromRecords, transformRecords, type FittedPipeline } from "../../../src/features/index.js";

function fitted(): FittedPipeline {
  const table = tableFromRecords(
    Array.from({ length: 30 }, (_, i) => ({
      n: i % 4 === 0 ? null : (i * 37) % 11,
      c: ["a", "b", "c"][i % 3],
      b: i % 2 === 0,
      d: `2020-0${(i % 9) + 1}-1${i % 10}`,
      t: `word${i % 5} and word${i % 7}`,
      y: (i * 13) % 3,
    })),
  );
  return fitPipeline(table, { label: "y", rows: Array.from({ length: 24 }, (_, i) => i), features: { t: "text", n: "number" }, options: { textBuckets: 16 } });
}

describe("decodePipeline", () => {
  it("round-trips a fitted pipeline through JSON, and the decoded one transforms alike", () => {
    const pipeline = fitted();
    expect(pipeline.features.map((f) => f.type)).toEqual(["number", "category", "binary", "date", "text"]);
    const decoded = decodePipeline(JSON.parse(JSON.stringify(pipeline)));
    expect(decoded).toEqual(pipeline);
    const rows = [{ n: 3, c: "b", b: false, d: "2021-05-05", t: "word1 word2" }, { c: "zzz" }];
    expect(transformRecords(decoded, rows).x).toEqual(transformRecords(pipeline, rows).x);
  });

  it("keeps the table's own missing markers: rows to transform are read with them", () => {
    const pipeline: FittedPipeline = { ...fitted(), missingMarkers: ["NA"] };
    const decoded = decodePipeline(JSON.parse(JSON.stringify(pipeline)));
    expect(decoded.missingMarkers).toEqual(["NA"]);
    const [n] = decoded.features;
    // "na" is missing (markers compare case-insensitively) and filled as in training; "-" is no marker here, and no number.
    expect(transformRecords(decoded, [{ n: "na" }]).x[n.offset]).toBe(transformRecords(decoded, [{ n: null }]).x[n.offset]);
    expect(() => transformRecords(decoded, [{ n: "-" }])).toThrow(/number/);
    expect(() => transformRecords(fitted(), [{ n: "-" }])).not.toThrow(); // a default marker
    expect(() => decodePipeline({ ...JSON.parse(JSON.stringify(pipeline)), missingMarkers: [3] })).toThrow(/missingMarkers\/0/);
  });

  it("refuses a stored pipeline that does not hold together, with the JSON path", () => {
    const json = () => JSON.parse(JSON.stringify(fitted()));
    const cases: [string, (p: any) => void][] = [
      ["/version", (p) => (p.version = 2)],
      ["/features/1/offset", (p) => (p.features[1].offset += 1)],
      ["/features/1/width", (p) => p.features[1].categories.push("d")],
      ["/width", (p) => (p.width += 1)],
      ["/features/0/scaling/mean", (p) => (p.features[0].scaling.mean = "0")],
      ["/features/0/missing/fill", (p) => (p.features[0].missing.fill = null)],
      ["/features/4/buckets", (p) => (p.features[4].buckets = 15)],
      ["/label/classNames", (p) => p.label.classNames.pop()],
      ["/features/2/type", (p) => (p.features[2].type = "boolean")],
    ];
    for (const [path, corrupt] of cases) {
      const p = json();
      corrupt(p);
      expect(() => decodePipeline(p), path).toThrow(`the stored pipeline does not decode: ${path} `);
    }
  });
});
