import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { renderKernelsFile } from "../../src/engine/kernels/wasm/render-kernels-file.js";

describe("the committed WebAssembly kernels (src/engine/kernels/wasm/kernels-wasm.ts)", () => {
  it("are what `npm run build:kernels` generates from the current generators", async () => {
    const committed = await readFile(new URL("../../src/engine/kernels/wasm/kernels-wasm.ts", import.meta.url), "utf8");
    // On failure: a generator changed; run `npm run build:kernels` and commit kernels-wasm.ts.
    expect(committed === renderKernelsFile(), "kernels-wasm.ts is stale: run `npm run build:kernels`").toBe(true);
  });
});
