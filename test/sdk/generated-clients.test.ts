import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { generateApi } from "swagger-typescript-api";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../../scripts/sdk/openapi-document.js";

// Clients generated from /openapi.json by two independent generators must be
// typed well enough that the compiler catches a wrong job body: a correct
// one compiles, `units: "ten"` and an unknown layer type do not.

let dir: string;
let document: Record<string, any>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "descent-clients-"));
  document = await openApiDocument();
  await writeFile(join(dir, "schema.d.ts"), astToString(await openapiTS(document as never, { defaultNonNullable: false })));
  // Unions rather than TS enums for string enums, so that plain strings ("relu") type-check, as in JSON.
  await generateApi({ spec: document as never, output: dir, fileName: "api.ts", silent: true, generateUnionEnums: true });
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const goodModel = `{ inputShape: [2], layers: [{ type: "dense", units: 8, activation: "relu" }, { type: "dense", units: 2, activation: "softmax" }] }`;
const training = `{ epochs: 1, batchSize: 2, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.001 } }`;
const models = {
  good: goodModel,
  transfer: `{ baseModelId: "mdl_1", dropLayers: 1, addLayers: [{ type: "dense", units: 2, activation: "softmax" }], freeze: "base" }`,
  unitsAsText: goodModel.replace("units: 8", 'units: "ten"'),
  unknownLayer: goodModel.replace('type: "dense", units: 8', 'type: "dens", units: 8'),
};

/** Type-checks one small program per model against the generated code; returns the error count of each. */
function compile(program: (model: string) => string): Record<keyof typeof models, number> {
  const files = Object.fromEntries(Object.entries(models).map(([name, model]) => [join(dir, `${name}.ts`), program(model)]));
  const host = ts.createCompilerHost({});
  const read = host.readFile;
  host.readFile = (file) => files[file] ?? read(file);
  const exists = host.fileExists;
  host.fileExists = (file) => file in files || exists(file);
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"], skipLibCheck: true, types: [] };
  const compiled = ts.createProgram(Object.keys(files), options, host);
  return Object.fromEntries(
    Object.keys(models).map((name) => [name, ts.getPreEmitDiagnostics(compiled, compiled.getSourceFile(join(dir, `${name}.ts`))).length]),
  ) as Record<keyof typeof models, number>;
}

describe("generated clients", () => {
  it("have an operationId on every operation, in verb-noun camelCase, and named schemas", () => {
    const ids = Object.values(document.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(ids.every((id) => typeof id === "string" && /^[a-z]+[A-Za-z]*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(["createJob", "getJob", "listJobs", "cancelJob", "createDataset", "predict"]));
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(["Job", "Dataset", "Model", "Problem", "ModelSpec", "LayerSpec", "DenseLayer", "TrainingConfig", "JobInput"]));
    const text = JSON.stringify(document);
    expect(text).not.toMatch(/"(if|then|else)":/);
    expect(document.components.schemas.LayerSpec.discriminator.mapping.dense).toBe("#/components/schemas/DenseLayer");
  });

  it("openapi-typescript: a correct job body compiles, a wrong one does not", () => {
    const errors = compile((model) => `import type { components } from "./schema";\nconst job: components["schemas"]["JobInput"] = { datasetId: "ds_1", model: ${model}, training: ${training} };\nexport default job;\n`);
    expect(errors).toEqual({ good: 0, transfer: 0, unitsAsText: expect.any(Number), unknownLayer: expect.any(Number) });
    expect(errors.unitsAsText).toBeGreaterThan(0);
    expect(errors.unknownLayer).toBeGreaterThan(0);
  });

  it("swagger-typescript-api: api.v1.createJob takes a typed body", () => {
    const errors = compile((model) => `import { Api } from "./api";\nconst api = new Api({ baseUrl: "http://127.0.0.1:3000" });\nexport const created = api.v1.createJob({ datasetId: "ds_1", model: ${model}, training: ${training} });\n`);
    expect(errors.good).toBe(0);
    expect(errors.transfer).toBe(0);
    expect(errors.unitsAsText).toBeGreaterThan(0);
    expect(errors.unknownLayer).toBeGreaterThan(0);
  });
});
