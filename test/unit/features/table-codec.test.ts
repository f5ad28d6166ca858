import { describe, expect, it } from "vitest";
import { FeatureError } from "../../../src/features/errors.js";
import { cellValue, type Table } from "../../../src/features/table.js";
import { TableBuilder, tableFromRecords } from "../../../src/features/table-builder.js";
import { decodeTable, encodeTable, TABLE_FORMAT_VERSION } from "../../../src/features/table-codec.js";

function allCells(table: Table): unknown[][] {
  return table.columns.map((column) => Array.from({ length: table.numRows }, (_, row) => cellValue(column, row)));
}

const mixed = () =>
  tableFromRecords([
    { n: 1.5, s: "a", b: true, d: "2020-01-01", t: "2020-01-01T10:00:00Z", u: "Zürich" },
    { n: null, s: "b", b: null, d: "2020-02-01", t: null, u: null },
    { n: -3, s: null, b: false, d: null, t: "2021-06-30 23:59", u: "東京" },
  ]);

describe("table codec", () => {
  it("round-trips every column kind, missing values included", () => {
    const table = mixed();
    const decoded = decodeTable(encodeTable(table));
    expect(decoded.numRows).toBe(3);
    expect(decoded.columns.map((c) => [c.name, c.kind, c.missing])).toEqual(table.columns.map((c) => [c.name, c.kind, c.missing]));
    expect(allCells(decoded)).toEqual(allCells(table));
    const t = decoded.columns.find((c) => c.name === "t");
    expect(t?.kind === "date" && t.hasTime).toBe(true);
  });

  it("writes the same bytes for the same table", () => {
    expect(encodeTable(mixed())).toEqual(encodeTable(mixed()));
  });

  it("decodes from bytes at an unaligned offset (as a driver may hand them over)", () => {
    const bytes = encodeTable(mixed());
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(allCells(decodeTable(shifted.subarray(3)))).toEqual(allCells(mixed()));
  });

  it("round-trips a table past the dictionary cap and an empty table", () => {
    const builder = new TableBuilder({ columns: ["id", "x"] });
    for (let i = 0; i < 70_000; i++) builder.addRow([`row ${i}`, String(i % 7)]);
    const big = builder.finish();
    const decoded = decodeTable(encodeTable(big));
    const id = decoded.columns[0];
    expect(id.kind === "string" && id.deduplicated).toBe(false);
    expect(cellValue(id, 69_999)).toBe("row 69999");
    expect(cellValue(decoded.columns[1], 69_999)).toBe(69_999 % 7);

    const empty = decodeTable(encodeTable({ numRows: 0, columns: [] }));
    expect(empty).toEqual({ numRows: 0, columns: [] });
  });

  it("refuses bytes that are not a stored table, naming the problem", () => {
    const bytes = encodeTable(mixed());
    const cases: [string, Uint8Array][] = [
      ["signature", new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])],
      ["version", withUint32(bytes, 4, TABLE_FORMAT_VERSION + 1)],
      ["runs past the end", bytes.subarray(0, bytes.length - 16)],
      ["follow the last column", concat(bytes, new Uint8Array(8))],
    ];
    for (const [problem, corrupted] of cases) {
      let error: unknown;
      try {
        decodeTable(corrupted);
      } catch (caught) {
        error = caught;
      }
      expect(error, problem).toBeInstanceOf(FeatureError);
      expect((error as FeatureError).code).toBe("CORRUPT_TABLE");
      expect((error as FeatureError).message).toContain(problem);
    }
  });

  it("checks string codes against the vocabulary", () => {
    const table = tableFromRecords([{ s: "a" }, { s: "b" }]);
    const column = table.columns[0];
    if (column.kind !== "string") throw new Error("expected strings");
    column.codes[1] = 7;
    expect(() => decodeTable(encodeTable(table))).toThrow(/code 7 outside its vocabulary of 2/);
  });
});

function withUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
