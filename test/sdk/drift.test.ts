import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../scripts/sdk/openapi-document.js";
import { renderSchema } from "../../scripts/sdk/render.js";

describe("the generated SDK types (src/sdk/schema.d.ts)", () => {
  it("are what `npm run sdk` generates from the current routes", async () => {
    const committed = await readFile(new URL("../../src/sdk/schema.d.ts", import.meta.url), "utf8");
    const current = await renderSchema(await openApiDocument());
    // On failure: the route schemas changed; run `npm run sdk` and commit src/sdk/schema.d.ts.
    expect(committed === current, "src/sdk/schema.d.ts is stale: run `npm run sdk`").toBe(true);
  });
});
