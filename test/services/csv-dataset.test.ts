import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { DescentError, type FieldError } from "../../src/errors.js";
import { MAX_CLASSES } from "../../src/services/column-types.js";
import { parseCsvDataset, type CsvDatasetOptions } from "../../src/services/csv-dataset.js";
import { encodeDataset } from "../../src/services/dataset-encoding.js";

// CSV uploads (POST /v1/datasets with a text/csv body) end in the same
// EncodedDataset as JSON uploads; errors name `row N, column NAME`.

/** The text as a stream of Buffers of `size` bytes (cutting UTF-8 characters, CRLF pairs and quotes anywhere). */
async function* bytes(text: string, size = 64 * 1024): AsyncGenerator<Buffer> {
  const all = Buffer.from(text, "utf8");
  for (let i = 0; i < all.length; i += size) yield all.subarray(i, i + size);
}

async function rejection(text: string, options: CsvDatasetOptions = { label: "label" }): Promise<DescentError> {
  const error = await parseCsvDataset(bytes(text), options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DescentError);
  expect((error as DescentError).code).toBe("VALIDATION_FAILED");
  expect((error as DescentError).status).toBe(400);
  return error as DescentError;
}

async function errorsOf(text: string, options?: CsvDatasetOptions): Promise<FieldError[]> {
  return (await rejection(text, options)).errors!;
}

const IRIS = [
  "sepal_length,sepal_width,petal_length,petal_width,species",
  "5.1,3.5,1.4,0.2,setosa",
  "7.0,3.2,4.7,1.4,versicolor",
  "6.3,3.3,6.0,2.5,virginica",
  "4.9,3.0,1.4,0.2,setosa",
  "6.4,3.2,4.5,1.5,versicolor",
].join("\n");

describe("parseCsvDataset", () => {
  it("reads a categorical label into sorted class names, float32 features and class indices", async () => {
    const dataset = await parseCsvDataset(bytes(IRIS + "\n"), { label: "species", name: "iris" });
    expect(dataset).toMatchObject({
      name: "iris",
      numSamples: 5,
      numFeatures: 4,
      inputShape: [4],
      task: "classification",
      classNames: ["setosa", "versicolor", "virginica"],
      classCounts: [2, 2, 1],
      featureNames: ["sepal_length", "sepal_width", "petal_length", "petal_width"],
    });
    expect(dataset.features).toEqual(
      Float32Array.from([5.1, 3.5, 1.4, 0.2, 7.0, 3.2, 4.7, 1.4, 6.3, 3.3, 6.0, 2.5, 4.9, 3.0, 1.4, 0.2, 6.4, 3.2, 4.5, 1.5]),
    );
    expect(dataset.labels).toEqual(Float32Array.from([0, 1, 2, 0, 1]));
  });

  it("gives the same arrays and checksum as the same data uploaded as JSON", async () => {
    const csv = await parseCsvDataset(bytes(IRIS), { label: "species" });
    const rows = IRIS.split("\n").slice(1).map((line) => line.split(","));
    const json = encodeDataset({
      features: rows.map((row) => row.slice(0, 4).map(Number)),
      labels: rows.map((row) => row[4]),
      featureNames: ["sepal_length", "sepal_width", "petal_length", "petal_width"],
    });
    expect(csv).toEqual(json);
  });

  it("guesses the delimiter from the header: tab- and ;-separated files give the same dataset", async () => {
    const comma = await parseCsvDataset(bytes(IRIS), { label: "species" });
    for (const delimiter of ["\t", ";", "|"]) {
      const other = await parseCsvDataset(bytes(IRIS.replaceAll(",", delimiter)), { label: "species" });
      expect(other.checksum, JSON.stringify(delimiter)).toBe(comma.checksum);
    }
    // An empty body still says what is missing.
    expect((await errorsOf("")).length).toBeGreaterThan(0);
  });

  it("reads non-negative integer labels as class indices, classNames '0'..'k-1'", async () => {
    const dataset = await parseCsvDataset(bytes("x,label\n0.5,2\n1.5,0\n2.5,2\n3.5,1\n"), { label: "label" });
    expect(dataset.task).toBe("classification");
    expect(dataset.classNames).toEqual(["0", "1", "2"]);
    expect(dataset.classCounts).toEqual([1, 1, 2]);
    expect(dataset.labels).toEqual(Float32Array.from([2, 0, 2, 1]));
  });

  it("reads other numeric labels as regression targets", async () => {
    const dataset = await parseCsvDataset(bytes("label,x\n1.5,1\n-2,2\n3e2,3\n"), { label: "label" });
    expect(dataset).toMatchObject({ task: "regression", classNames: [], classCounts: [], featureNames: ["x"] });
    expect(dataset.labels).toEqual(Float32Array.from([1.5, -2, 300]));
    expect(dataset.features).toEqual(Float32Array.from([1, 2, 3]));
  });

  it(`reads integer labels of ${MAX_CLASSES} or more as regression targets (prices, counts), not as classes`, async () => {
    const dataset = await parseCsvDataset(bytes("rooms,price\n3,350000\n2,0\n"), { label: "price" });
    expect(dataset.task).toBe("regression");
    expect(dataset.labels).toEqual(Float32Array.from([350000, 0]));
  });

  it("honours a forced task", async () => {
    const classes = await parseCsvDataset(bytes("x,label\n1,0.5\n2,1.5\n3,0.5\n"), { label: "label", task: "classification" });
    expect(classes).toMatchObject({ task: "classification", classNames: ["0.5", "1.5"], classCounts: [2, 1] });
    const regression = await parseCsvDataset(bytes("x,label\n1,0\n2,1\n"), { label: "label", task: "regression" });
    expect(regression).toMatchObject({ task: "regression", classNames: [] });
    const errors = await errorsOf("x,label\n1,0\n2,yes\n", { label: "label", task: "regression" });
    expect(errors).toEqual([{ path: "row 2, column label", message: expect.stringContaining('"yes" is not a number') }]);
  });

  it("makes every label a class name when any label is not a number", async () => {
    const dataset = await parseCsvDataset(bytes("x,label\n1,10\n2,cat\n3,2\n4,cat\n"), { label: "label" });
    expect(dataset.classNames).toEqual(["10", "2", "cat"]);
    expect(dataset.labels).toEqual(Float32Array.from([0, 2, 1, 2]));
  });

  it("reads quoted fields, CRLF line endings, a BOM, spaces around values and blank lines", async () => {
    const text = '\uFEFF"length (cm)", "label"\r\n 1.5 ,"a, b"\r\n\r\n"2","say ""hi"""\r\n"3","multi\r\nline"\r\n,\r\n';
    const dataset = await parseCsvDataset(bytes(text), { label: "label" });
    expect(dataset.featureNames).toEqual(["length (cm)"]);
    expect(dataset.features).toEqual(Float32Array.from([1.5, 2, 3]));
    expect(dataset.classNames).toEqual(["a, b", "multi\r\nline", 'say "hi"']);
    expect(dataset.labels).toEqual(Float32Array.from([0, 2, 1]));
  });

  it("gives identical output whatever the chunking: 1-byte chunks, strings, a Readable", async () => {
    const text = 'a,"b",label\r\n1.25,-2,café\r\n3,"4e-3",日本\r\n"5",6,café\r\n' + "7,8,\"x\"\"y\"\r\n".repeat(50);
    const whole = await parseCsvDataset(bytes(text), { label: "label" });
    expect(whole.classNames).toEqual(["café", 'x"y', "日本"]);
    for (const size of [1, 2, 3, 7]) {
      expect(await parseCsvDataset(bytes(text, size), { label: "label" })).toEqual(whole);
    }
    async function* strings() {
      for (let i = 0; i < text.length; i += 5) yield text.slice(i, i + 5);
    }
    expect(await parseCsvDataset(strings(), { label: "label" })).toEqual(whole);
    expect(await parseCsvDataset(Readable.from(bytes(text, 3)), { label: "label" })).toEqual(whole);
  });

  it("grows its arrays past their first capacity", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},${i / 4},${i % 3 === 0 ? "fizz" : "other"}`);
    const dataset = await parseCsvDataset(bytes(["i,quarter,kind", ...rows].join("\n")), { label: "kind" });
    expect(dataset.numSamples).toBe(5000);
    expect(dataset.features.length).toBe(10_000);
    expect(dataset.features[2 * 4999]).toBe(4999);
    expect(dataset.features[2 * 4999 + 1]).toBe(4999 / 4);
    expect(dataset.classCounts).toEqual([1667, 3333]);
  });

  it("takes __proto__ and constructor as column and class names without polluting anything", async () => {
    const text = "__proto__,constructor,label\n1,2,__proto__\n3,4,constructor\n5,6,toString\n";
    const dataset = await parseCsvDataset(bytes(text), { label: "label" });
    expect(dataset.featureNames).toEqual(["__proto__", "constructor"]);
    expect(dataset.features).toEqual(Float32Array.from([1, 2, 3, 4, 5, 6]));
    expect(dataset.classNames).toEqual(["__proto__", "constructor", "toString"]);
    expect(dataset.classCounts).toEqual([1, 1, 1]);
    const byLabel = await parseCsvDataset(bytes("x,__proto__\n1,a\n2,b\n"), { label: "__proto__" });
    expect(byLabel.classNames).toEqual(["a", "b"]);
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>)["1"]).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it("keeps regression targets of more than MAX_CLASSES distinct values", async () => {
    const rows = Array.from({ length: MAX_CLASSES + 5 }, (_, i) => `${i},${i / 8}`);
    const dataset = await parseCsvDataset(bytes(["x,y", ...rows].join("\n")), { label: "y" });
    expect(dataset.task).toBe("regression");
    expect(dataset.labels[MAX_CLASSES + 4]).toBe((MAX_CLASSES + 4) / 8);
  });

  it("passes on an error of the source itself (an aborted upload), not as a 400", async () => {
    async function* aborted() {
      yield Buffer.from("a,label\n1,0\n");
      throw new Error("aborted");
    }
    await expect(parseCsvDataset(aborted(), { label: "label" })).rejects.toThrow(/^aborted$/);
  });

  it("reads the whole source even after an error, so an HTTP client still sending gets the 400", async () => {
    let chunks = 0;
    async function* counted() {
      for await (const chunk of bytes("a,label\nx,1\n" + "1,1\n".repeat(1000), 16)) {
        chunks++;
        yield chunk;
      }
    }
    await expect(parseCsvDataset(counted(), { label: "label" })).rejects.toThrow(DescentError);
    expect(chunks).toBe(Math.ceil((12 + 4000) / 16));
  });
});

describe("parseCsvDataset errors", () => {
  it("names the first non-number of each column, with its row and its value", async () => {
    const text = IRIS.replace("6.3,3.3,6.0,2.5", "6.3,3.3,6.0,wide").replace("6.4,3.2", "6.4,0x10") + "\n1,2,3,narrow,setosa";
    const error = await rejection(text, { label: "species" });
    expect(error.errors).toEqual([
      { path: "row 3, column petal_width", message: '"wide" is not a number' },
      { path: "row 5, column sepal_width", message: '"0x10" is not a number' },
    ]);
    expect(error.message).toBe('row 3, column petal_width: "wide" is not a number (and 1 more)');
  });

  it("rejects missing values, reporting each column's first and counting them", async () => {
    const errors = await errorsOf("a,b,label\n1,,x\n2,3,x\n,,y\n4,5,\n");
    expect(errors).toEqual([
      { path: "row 1, column b", message: expect.stringMatching(/^missing value; 2 of the 4 rows miss column b/) },
      { path: "row 3, column a", message: expect.stringMatching(/^missing value; 1 of the 4 rows miss column a/) },
      { path: "row 4, column label", message: expect.stringMatching(/^missing value; 1 of the 4 rows miss column label/) },
    ]);
  });

  it("hints that NA and NaN are missing values, which are not supported", async () => {
    const errors = await errorsOf("a,b,label\nNA,NaN,x\n");
    expect(errors.map((e) => e.path)).toEqual(["row 1, column a", "row 1, column b"]);
    expect(errors[0].message).toBe('"NA" is not a number (missing values are not supported: fill or drop them)');
  });

  it("rejects numbers that do not fit in float32, and infinities", async () => {
    const errors = await errorsOf("a,b,label\n1e39,Infinity,0\n");
    expect(errors).toEqual([
      { path: "row 1, column a", message: '"1e39" does not fit in float32' },
      { path: "row 1, column b", message: '"Infinity" is not a number' },
    ]);
  });

  it("rejects ragged rows", async () => {
    const errors = await errorsOf("a,b,label\n1,2,x\n3,4\n5,6,y,7\n");
    expect(errors).toEqual([
      { path: "row 2", message: "row 2 (line 3) has 2 fields; the header has 3" },
      { path: "row 3", message: "row 3 (line 4) has 4 fields; the header has 3" },
    ]);
  });

  it("rejects an empty file and a header-only file", async () => {
    for (const empty of ["", "\n\n", "\uFEFF"]) {
      expect(await errorsOf(empty)).toEqual([{ path: "header", message: expect.stringContaining("the CSV is empty") }]);
    }
    expect(await errorsOf("a,label\n")).toEqual([{ path: "row 1", message: "the CSV has a header but no data rows" }]);
  });

  it("rejects a label column that is not in the header, listing the header's columns", async () => {
    const error = await rejection(IRIS, { label: "class" });
    expect(error.errors).toEqual([
      {
        path: "header",
        message: 'label column "class" is not in the header; its columns are: sepal_length, sepal_width, petal_length, petal_width, species',
      },
    ]);
  });

  it("rejects a header of only the label, duplicate names and empty names", async () => {
    expect((await errorsOf("label\n1\n"))[0].message).toContain("at least one feature column");
    expect(await errorsOf("a,,a,label\n1,2,3,4\n")).toEqual([
      { path: "header", message: "column 2 has no name" },
      { path: "header", message: 'column name "a" appears twice (columns 1 and 3)' },
    ]);
  });

  it("rejects more rows than maxRows at the first row too many", async () => {
    const errors = await errorsOf("a,label\n1,0\n2,1\n3,0\n", { label: "label", maxRows: 2 });
    expect(errors).toEqual([{ path: "row 3", message: "the CSV has more than 2 data rows, the limit" }]);
    await expect(parseCsvDataset(bytes("a,label\n1,0\n2,1\n"), { label: "label", maxRows: 2 })).resolves.toMatchObject({ numSamples: 2 });
  });

  it("rejects a quote that is never closed, naming the row", async () => {
    const errors = await errorsOf('a,label\n1,x\n2,"y\n3,z\n');
    expect(errors).toEqual([{ path: "row 2", message: expect.stringContaining("Quote Not Closed") }]);
  });

  it("stops at 20 errors", async () => {
    const error = await rejection("a,b,label\n" + "1,2\n".repeat(30));
    expect(error.errors).toHaveLength(20);
    expect(error.errors![19].path).toBe("row 20");
    expect(error.message).toMatch(/^row 1: .* \(and 19 more\)$/);
  });

  it(`rejects a label that is not a number after more than ${MAX_CLASSES} distinct numbers`, async () => {
    const rows = Array.from({ length: MAX_CLASSES + 1 }, (_, i) => `${i},${i / 8}`);
    const errors = await errorsOf(["x,label", ...rows, "1,cat"].join("\n"));
    expect(errors).toEqual([{ path: `row ${MAX_CLASSES + 2}, column label`, message: expect.stringContaining('"cat" is not a number') }]);
  });

  it(`rejects more than ${MAX_CLASSES} class names`, async () => {
    const rows = Array.from({ length: MAX_CLASSES + 1 }, (_, i) => `${i},class${i}`);
    const errors = await errorsOf(["x,label", ...rows].join("\n"));
    expect(errors).toEqual([
      { path: `row ${MAX_CLASSES + 1}, column label`, message: `column label has more than ${MAX_CLASSES} distinct labels; a dataset has at most ${MAX_CLASSES} classes` },
    ]);
  });
});
