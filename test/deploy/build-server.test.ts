import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildServer, serverBuildIsStale } from "../../scripts/build-server.js";

// `npm start` runs dist/ (scripts/build-server.ts), built once and again only when a source changes.

const root = mkdtempSync(join(tmpdir(), "descent-build-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const write = (path: string, text: string) => {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), text);
};
const runCompiled = () => execFileSync(process.execPath, [join(root, "dist/src/main.js")], { encoding: "utf8" }).trim();

describe("the service build", () => {
  it("compiles the included folders to dist/, skips an unchanged tree, and rebuilds after a change", async () => {
    write("tsconfig.build.json", JSON.stringify({ include: ["src", "workers"] }));
    write("package.json", JSON.stringify({ type: "module" }));
    write("src/main.ts", 'import { greeting } from "./greeting.js";\nconst who: string = "dist";\nconsole.log(greeting(who));\n');
    write("src/greeting.ts", "export const greeting = (who: string): string => `hello ${who}`;\n");
    write("workers/entry.ts", "export const worker: number = 1;\n");
    write("test/ignored.ts", "this is not TypeScript and is not compiled\n");

    expect(serverBuildIsStale(root)).toBe(true);
    expect(await buildServer({ root, quiet: true })).toBe(true);
    expect(runCompiled()).toBe("hello dist");
    expect(serverBuildIsStale(root)).toBe(false);
    expect(await buildServer({ root, quiet: true, ifStale: true })).toBe(false);

    write("src/greeting.ts", "export const greeting = (who: string): string => `hi ${who}`;\n");
    expect(serverBuildIsStale(root)).toBe(true);
    expect(await buildServer({ root, quiet: true, ifStale: true })).toBe(true);
    expect(runCompiled()).toBe("hi dist");
  });
});
