import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

// Prisma 7's CLI downloads a native schema-engine binary before generate and
// validate unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file. Those
// commands never run it, and this machine cannot download it, so point the
// variable at a file that exists. Migrations run through the WebAssembly
// schema engine instead (scripts/db-migrate.ts).
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(process.env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = fileURLToPath(new URL("./scripts/schema-engine-placeholder", import.meta.url));
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test" },
});
