// `npm start`: checks Postgres and Redis, applies migrations, then runs the
// API and one training worker as two supervised processes (src/supervisor.ts):
// a child that dies is restarted, and both stop together on SIGINT/SIGTERM.

import { fileURLToPath } from "node:url";
import { supervise } from "./supervisor.js";
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

// Compiled (npm start runs dist/src/start.js, built by scripts/build-server.ts), the children
// run compiled too; from sources (tsx, the tests), they run under tsx.
const compiled = import.meta.url.endsWith(".js");
const root = fileURLToPath(new URL(compiled ? "../.." : "..", import.meta.url));
const entry = (source: string) => (compiled ? ["--enable-source-maps", `dist/${source}.js`] : ["--import", "tsx", `${source}.ts`]);
const say = (line: string) => console.error(`descent: ${line}`);
const supervisor = supervise(
  [
    { name: "api", args: entry("src/server") },
    { name: "worker", args: entry("workers/training") },
  ],
  {
    cwd: root,
    env: { ...process.env, ...childEnv },
    say,
    onStopped: (exitCode) => {
      // After the children: they write to the embedded store until they stop.
      void (host?.close() ?? Promise.resolve()).then(() => process.exit(exitCode));
    },
  },
);
process.on("SIGINT", () => supervisor.stop(0));
process.on("SIGTERM", () => supervisor.stop(0));
