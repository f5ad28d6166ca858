// Before `npm start`: regenerates the Prisma client when the schema changed
// (scripts/prisma-client.ts), then compiles the service (scripts/build-server.ts)
// and the dashboard (dashboard/build.ts) when their sources changed, in one process.

import { buildDashboard } from "../dashboard/build.js";
import { buildServer } from "./build-server.js";
import { generatePrismaClientIfStale } from "./prisma-client.js";

generatePrismaClientIfStale();
await buildServer({ ifStale: true });
await buildDashboard({ ifStale: true });
