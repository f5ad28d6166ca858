import { describe, expect, it } from "vitest";
import { DICTIONARY_CAP } from "../../../src/features/column-builder.js";
import { thrown } from "./thrown.js";
import { cellValue, type Column, type Table } from "../../../src/features/table.js";
import { TableBuilder, tableFromRecords } from "../../../src/features/table-builder.js";

function column(table: Table, name: string): Column {
  const found = table.columns.find((c) => c.name === name);
  if (!found) throw new Error(`no column ${name}`);
  return found;
}

function cells(table: Table, name: string): unknown[] {
  const c = column(table, name);
  return Array.from({ length: table.numRows }, (_, row) => cellValue(c, row));
}

describe("TableBuilder", () => {
  it("stores CSV cells by kind: numbers, strings, dates, missing markers", () => {
    const builder = new TableBuilder({ columns: ["date", "temp", "weather", "note"] });
    builder.addRow(["2012-01-01", "12.8", "drizzle", "NA"]);
    builder.addRow(["2012-01-02", "", "rain", "?"]);
    builder.addRow(["2012-01-03", " 3.5 ", "rain", "null"]);
    const table = builder.finish();

    expect(table.numRows).toBe(3);
    const date = column(table, "date");
    expect(date.kind).toBe("date");
    expect(date.kind === "date" && Array.from(date.values)).toEqual([Date.UTC(2012, 0, 1), Date.UTC(2012, 0, 2), Date.UTC(2012, 0, 3)]);
    const temp = column(table, "temp");
    expect(temp.kind).toBe("number");
    expect(temp.missing).toBe(1);
    expect(cells(table, "temp")).toEqual([12.8, null, 3.5]);
    const weather = column(table, "weather");
    expect(weather.kind === "string" && weather.vocabulary.toArray()).toEqual(["drizzle", "rain"]);
    expect(weather.kind === "string" && Array.from(weather.codes)).toEqual([0, 1, 1]);
    expect(column(table, "note").missing).toBe(3);
  });

  it("counts the missing markers each column met, by their text as written (empty cells aside)", () => {
    const table = tableFromRecords([{ a: "None", b: "" }, { a: "NONE", b: "NA" }, { a: "None", b: null }, { a: "x", b: 1 }]);
    expect(table.columns[0]).toMatchObject({ missing: 3, missingAs: { None: 2, NONE: 1 } });
    expect(table.columns[1]).toMatchObject({ missing: 3, missingAs: { NA: 1 } });
    const own = tableFromRecords([{ a: "None" }, { a: "" }], { missingMarkers: [] });
    expect(own.columns[0]).toMatchObject({ kind: "string", missing: 1 });
    expect(own.columns[0].missingAs).toBeUndefined();
  });

  it("reads decimal commas when told to, and leaves other texts with commas alone", () => {
    const table = tableFromRecords([{ a: "12,5" }, { a: "-0,25" }, { a: "1.5" }, { a: ",5" }], { decimal: "," });
    expect(table.columns[0]).toMatchObject({ kind: "number", values: Float64Array.from([12.5, -0.25, 1.5, 0.5]) });
    expect(tableFromRecords([{ a: "12,5" }]).columns[0].kind).toBe("string"); // a point is the default
    expect(tableFromRecords([{ a: "1,2,3" }, { a: "a,5" }], { decimal: "," }).columns[0].kind).toBe("string");
  });

  it("takes JSON records: booleans, null, left-out keys, keys that first appear late", () => {
    const table = tableFromRecords([
      { island: "Biscoe", mass: 3750, adult: true },
      { island: null, adult: false },
      { island: "Dream", mass: 3800, adult: true, tag: "x1" },
    ]);
    expect(table.columns.map((c) => [c.name, c.kind, c.missing])).toEqual([
      ["island", "string", 1],
      ["mass", "number", 1],
      ["adult", "boolean", 0],
      ["tag", "string", 2],
    ]);
    expect(cells(table, "mass")).toEqual([3750, null, 3800]);
    expect(cells(table, "adult")).toEqual([true, false, true]);
    expect(cells(table, "tag")).toEqual([null, null, "x1"]);
  });

  it("turns a column into strings, once, when a value of another kind arrives", () => {
    const table = tableFromRecords([{ a: 1, b: true, c: "2020-01-01" }, { a: 2.5, b: false, c: "soon" }, { a: "n/a", b: "maybe", c: null }, { a: "many", b: true, c: "2020-01-02" }]);
    expect(column(table, "a").kind).toBe("string");
    expect(cells(table, "a")).toEqual(["1", "2.5", null, "many"]);
    expect(cells(table, "b")).toEqual(["true", "false", "maybe", "true"]);
    // A column that is not all dates keeps its original text.
    expect(column(table, "c").kind).toBe("string");
    expect(cells(table, "c")).toEqual(["2020-01-01", "soon", null, "2020-01-02"]);
  });

  it("marks a date column holding a time of day as a datetime", () => {
    const table = tableFromRecords([{ t: "2020-01-01" }, { t: "2020-01-01T12:00:00Z" }]);
    const t = column(table, "t");
    expect(t.kind === "date" && t.hasTime).toBe(true);
  });

  it("reads an all-missing column as a number column of NaN", () => {
    const table = tableFromRecords([{ a: null }, { a: "" }]);
    expect(column(table, "a")).toMatchObject({ kind: "number", missing: 2 });
  });

  it("stops deduplicating past the dictionary cap but keeps every value", () => {
    const builder = new TableBuilder({ columns: ["id"] });
    const count = DICTIONARY_CAP + 10;
    for (let i = 0; i < count; i++) builder.addRow([`id-${i}`]);
    builder.addRow(["id-0"]);
    const table = builder.finish();
    const id = column(table, "id");
    if (id.kind !== "string") throw new Error("expected strings");
    expect(id.deduplicated).toBe(false);
    expect(cellValue(id, count - 1)).toBe(`id-${count - 1}`);
    expect(cellValue(id, count)).toBe("id-0");
    expect(id.vocabulary.size).toBe(count + 1);
  });

  it("keeps unicode text intact", () => {
    const table = tableFromRecords([{ s: "Zürich ☃ 東京" }, { s: "naïve" }]);
    expect(cells(table, "s")).toEqual(["Zürich ☃ 東京", "naïve"]);
  });

  it("names the row and column of a cell it cannot hold", () => {
    const error = thrown(() => tableFromRecords([{ a: 1 }, { a: 2 }, { a: { nested: true } }]));
    expect(error).toMatchObject({ code: "BAD_CELL", row: 2, column: "a" });
    expect(error.message).toBe("row 3, column a: a cell must be a number, a string, a boolean or null, not object");
    expect(thrown(() => tableFromRecords([{ a: Infinity }]))).toMatchObject({ code: "BAD_CELL", row: 0, column: "a" });
  });

  it("refuses records that are not objects, ragged rows, bad headers and too many rows or columns", () => {
    expect(thrown(() => tableFromRecords([{ a: 1 }, [1]]))).toMatchObject({ code: "BAD_RECORD", row: 1 });
    expect(thrown(() => new TableBuilder({ columns: ["a", "b"] }).addRow(["1"]))).toMatchObject({ code: "BAD_RECORD", row: 0 });
    expect(thrown(() => new TableBuilder({ columns: ["a", "a"] }))).toMatchObject({ code: "BAD_HEADER" });
    expect(thrown(() => new TableBuilder({ columns: ["a", ""] }))).toMatchObject({ code: "BAD_HEADER" });
    expect(thrown(() => tableFromRecords([{ a: 1 }, { a: 2 }], { maxRows: 1 }))).toMatchObject({ code: "TOO_MANY_ROWS", row: 1 });
    expect(thrown(() => tableFromRecords([{ a: 1, b: 2, c: 3 }], { maxColumns: 2 }))).toMatchObject({ code: "TOO_MANY_COLUMNS", column: "c" });
  });

  it("ignores unknown keys when asked to", () => {
    const table = tableFromRecords([{ a: 1, extra: "x" }], { columns: ["a"], unknownKeys: "ignore" });
    expect(table.columns.map((c) => c.name)).toEqual(["a"]);
  });
});

describe("the thrown helper", () => {
  it("fails when nothing is thrown, and passes other errors on", () => {
    expect(() => thrown(() => 1)).toThrow("nothing was thrown");
    expect(() => thrown(() => JSON.parse("{"))).toThrow(SyntaxError);
  });
});
