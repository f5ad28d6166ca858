// Before `npm start`: compiles the service (scripts/build-server.ts) and the
// dashboard (dashboard/build.ts) when their sources changed, in one process.

import { buildDashboard } from "../dashboard/build.js";
import { buildServer } from "./build-server.js";

await buildServer({ ifStale: true });
await buildDashboard({ ifStale: true });
