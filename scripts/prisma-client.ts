// The generated Prisma client (src/db/generated) follows prisma/schema.prisma:
// `npm ci` generates it (postinstall), and a `git pull` that changes the
// schema would otherwise leave `npm start` building the service against the
// old client (a new column is then an "Unknown argument" at run time).

import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/** True when the client is missing or older than the schema (make's rule: a pull or an edit touches the schema). */
export function prismaClientIsStale(root = projectRoot): boolean {
  const client = join(root, "src/db/generated/client.ts");
  return !existsSync(client) || statSync(join(root, "prisma/schema.prisma")).mtimeMs > statSync(client).mtimeMs;
}

/** Runs `prisma generate` when the client is stale; returns whether it did. */
export function generatePrismaClientIfStale(root = projectRoot): boolean {
  if (!prismaClientIsStale(root)) return false;
  const started = Date.now();
  try {
    execFileSync(join(root, "node_modules/.bin/prisma"), ["generate"], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    process.stderr.write((error as { stderr?: Buffer }).stderr ?? String(error));
    throw new Error("descent: prisma generate failed (above); run `npm ci` again");
  }
  console.log(`descent: generated the Prisma client (prisma/schema.prisma changed) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}
