// Compiles the service's TypeScript to dist/ (one .js per .ts, with source
// maps), so that `npm start`, the Dockerfile and the benchmarks run plain
// JavaScript instead of compiling TypeScript in every process and thread.
//   tsx scripts/build-server.ts             build (npm run build)
//   tsx scripts/build-server.ts --if-stale  build only when the sources changed since the last build
// esbuild only strips types (no bundling, imports stay as written); `npm run
// typecheck` is what checks them. The folders compiled are tsconfig.build.json's
// "include", the list the Docker checks read too. The build goes to a fresh
// folder that replaces dist in one rename, so a running process never sees half of it.

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
/** Written last into the output: the digest of the sources it was built from. */
const STAMP = ".sources-digest";

export interface BuildOptions {
  ifStale?: boolean;
  quiet?: boolean;
  /** The project to build. @defaultValue this checkout */
  root?: string;
}

/** The .ts files of the folders tsconfig.build.json includes, as paths relative to `root`, sorted. */
export function serverSources(root: string): string[] {
  const { include } = JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8")) as { include: string[] };
  const files: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(relative(root, path));
    }
  };
  for (const folder of include) if (existsSync(join(root, folder))) visit(join(root, folder));
  return files.sort();
}

/** A digest of every source's path and content, and of this script (a changed build is a changed output). */
export function sourcesDigest(root: string): string {
  const hash = createHash("sha256").update(readFileSync(fileURLToPath(import.meta.url)));
  for (const file of serverSources(root)) hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
  return hash.digest("hex");
}

export function serverBuildIsStale(root = projectRoot): boolean {
  const stamp = join(root, "dist", STAMP);
  return !existsSync(stamp) || readFileSync(stamp, "utf8") !== sourcesDigest(root);
}

/** Builds dist/ from the sources; with `ifStale`, only when they changed. Returns whether it built. */
export async function buildServer({ ifStale = false, quiet = false, root = projectRoot }: BuildOptions = {}): Promise<boolean> {
  const digest = sourcesDigest(root);
  const dist = join(root, "dist");
  if (ifStale && existsSync(join(dist, STAMP)) && readFileSync(join(dist, STAMP), "utf8") === digest) return false;
  const { build } = await import("esbuild");
  const started = Date.now();
  const out = join(root, `.dist-${process.pid}-${Date.now()}`);
  try {
    await build({
      entryPoints: serverSources(root).map((file) => join(root, file)),
      outdir: out,
      outbase: root,
      format: "esm",
      platform: "node",
      target: "node20",
      sourcemap: true,
      logLevel: "error",
    });
    writeFileSync(join(out, STAMP), digest);
    const old = existsSync(dist) ? join(root, `.dist-old-${process.pid}-${Date.now()}`) : null;
    if (old) renameSync(dist, old);
    renameSync(out, dist);
    if (old) rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  if (!quiet) console.log(`descent: compiled the service into dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildServer({ ifStale: process.argv.includes("--if-stale") });
}
