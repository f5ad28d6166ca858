// `npm start`: checks Postgres and Redis, applies migrations, then runs the
// API and one training worker as two processes, and stops both together.

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadConfig } from "./config.js";
import { deployMigrations, ensureDatabase } from "./db/migrations.js";
import { openStore } from "./embedded/open-store.js";
import { checkBackingServices } from "./preflight.js";
import { exitWithConfigProblem } from "./process-exit.js";

// With no Postgres and Redis around, this process hosts embedded ones (src/embedded/).
const { config, host, childEnv } = await openStore(exitWithConfigProblem(loadConfig));

const problems = (await checkBackingServices(config)).filter((line) => !line.includes("has no database"));
if (problems.length > 0) {
  for (const line of problems) console.error(`descent: ${line}`);
  process.exit(1);
}

// A first start creates the database and its tables; later starts apply only new migrations.
if (await ensureDatabase(config.databaseUrl)) console.log(`descent: created database ${new URL(config.databaseUrl).pathname.slice(1)}`);
const { applied } = await deployMigrations(config.databaseUrl);
if (applied.length > 0) console.log(`descent: applied migrations ${applied.join(", ")}`);
// The embedded queue lives in memory: put back the jobs the last run left unfinished.
const requeued = (await host?.requeueUnfinishedJobs(config.queuePrefix)) ?? [];
if (requeued.length > 0) console.log(`descent: re-enqueued ${requeued.length} unfinished job(s)`);

const root = fileURLToPath(new URL("..", import.meta.url));
const children: ChildProcess[] = [];

function run(name: string, entry: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", entry], { cwd: root, stdio: "inherit", env: { ...process.env, ...childEnv } });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`descent: the ${name} exited (${signal ?? `code ${code}`}); stopping`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(exitCode: number) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  let remaining = children.filter((child) => child.exitCode === null).length;
  if (remaining === 0) void exit(exitCode);
  for (const child of children) child.once("exit", () => --remaining === 0 && void exit(exitCode));
}

async function exit(exitCode: number) {
  await host?.close(); // after the children: they write to it until they stop
  process.exit(exitCode);
}

run("api", "src/server.ts");
run("worker", "workers/training.ts");
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
