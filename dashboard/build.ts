// Builds the dashboard (Vite) into dashboard/dist, which the API serves at `/`.
//   tsx dashboard/build.ts            build
//   tsx dashboard/build.ts --if-stale build only when dist is missing or older than the sources
// The build goes to a fresh folder that then replaces dist in one rename, so a
// running API or a concurrent build never sees half a dashboard.

import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const dist = join(here, "dist");

/** Newest modification time among the dashboard's sources. */
function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const entry of ["index.html", "vite.config.ts", "src", "public"]) if (existsSync(join(here, entry))) visit(join(here, entry));
  return newest;
}

export function dashboardIsStale(): boolean {
  const index = join(dist, "index.html");
  return !existsSync(index) || statSync(index).mtimeMs < newestSource();
}

export async function buildDashboard({ ifStale = false, quiet = false } = {}): Promise<boolean> {
  if (ifStale && !dashboardIsStale()) return false;
  const { build } = await import("vite");
  const out = join(here, `.dist-${process.pid}-${Date.now()}`);
  const started = Date.now();
  try {
    await build({ configFile: join(here, "vite.config.ts"), logLevel: quiet ? "error" : "warn", build: { outDir: out, emptyOutDir: true } });
    const old = existsSync(dist) ? join(here, `.dist-old-${process.pid}-${Date.now()}`) : null;
    if (old) renameSync(dist, old);
    try {
      renameSync(out, dist);
    } catch (error) {
      // Another build won the race: keep its result.
      if (!existsSync(dist)) throw error;
    }
    if (old) rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  if (!quiet) console.log(`descent: built the dashboard into dashboard/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDashboard({ ifStale: process.argv.includes("--if-stale") });
}
