// npm run project:create -- <name>: creates a project and prints its first API key (shown once).

import { loadConfig } from "../src/config.js";
import { createDatabase } from "../src/db/client.js";
import { deployMigrations, ensureDatabase } from "../src/db/migrations.js";
import { exitWithConfigProblem } from "../src/process-exit.js";
import { checkBackingServices } from "../src/preflight.js";
import { joinEmbeddedStore } from "../src/embedded/store.js";
import { createProjectService } from "../src/services/projects.js";

const name = process.argv.slice(2).join(" ").trim();
if (!name) {
  console.error("usage: npm run project:create -- <project name>");
  process.exit(2);
}
// With the embedded store of a running `npm start`, the project goes there.
const config = exitWithConfigProblem(() => joinEmbeddedStore(loadConfig()));
// Only Postgres is needed here; a missing database is created below.
const problems = (await checkBackingServices(config)).filter((line) => line.includes("Postgres") && !line.includes("has no database"));
if (problems.length > 0) {
  for (const line of problems) console.error(`descent: ${line}`);
  process.exit(1);
}
await ensureDatabase(config.databaseUrl);
await deployMigrations(config.databaseUrl);
const db = createDatabase(config.databaseUrl, { poolSize: 1 });
try {
  const { project, apiKey } = await createProjectService({ db }).createProject(name);
  console.log(`project ${project.id} (${project.name})`);
  console.log(`API key (shown once; keep it): ${apiKey}`);
} finally {
  await db.$disconnect();
}
process.exit(0); // joining an embedded store watches its host; nothing else is left to do
