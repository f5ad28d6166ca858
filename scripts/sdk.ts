// `npm run sdk`: regenerates src/sdk/schema.d.ts from the OpenAPI document.
// By default the document comes from buildApp() in memory (no server, no
// Postgres or Redis needed); `npm run sdk -- --url http://host:3000` reads a
// running server's /openapi.json instead. The output depends only on the document.

import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "./sdk/openapi-document.js";
import { renderSchema } from "./sdk/render.js";

export const schemaFile = fileURLToPath(new URL("../src/sdk/schema.d.ts", import.meta.url));

const urlFlag = process.argv.indexOf("--url");
const document =
  urlFlag >= 0 ? ((await (await fetch(new URL("/openapi.json", process.argv[urlFlag + 1]))).json()) as Record<string, unknown>) : await openApiDocument();
await writeFile(schemaFile, await renderSchema(document));
console.log(`wrote ${schemaFile}`);
