#!/usr/bin/env node
// The `descent` command. In a checkout of the repository it runs the
// TypeScript source through tsx (always current); in an installed build
// without src/, the compiled dist/.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/src/cli/main.js", import.meta.url).href);
}
