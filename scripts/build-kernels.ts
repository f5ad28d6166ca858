// Generates src/engine/kernels/wasm/kernels-wasm.ts (the engine's WebAssembly
// kernels, as base64) from their TypeScript generators. `npm run build:kernels`.
import { writeFile } from "node:fs/promises";
import { renderKernelsFile } from "../src/engine/kernels/wasm/render-kernels-file.js";

const target = new URL("../src/engine/kernels/wasm/kernels-wasm.ts", import.meta.url);
await writeFile(target, renderKernelsFile());
console.log(`wrote ${target.pathname}`);
