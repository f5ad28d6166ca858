// npm run db:migrate -- [deploy | status | create <name> | check]
// Offline replacement for `prisma migrate deploy/status/dev --create-only`
// and `prisma migrate diff --exit-code` (see src/db/migrations.ts).
import { relative } from "node:path";
import pg from "pg";
import {
  createMigration,
  databaseExists,
  deployMigrations,
  diffSchemaAgainstMigrations,
  ensureDatabase,
  migrationStatus,
  withDatabase,
} from "../src/db/migrations.js";

const DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/descent";
const USAGE = "usage: npm run db:migrate -- [deploy | status | create <name> | check]";

async function main(argv: string[]): Promise<number> {
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_URL;
  const [command = "deploy", ...args] = argv;
  const target = describe(databaseUrl);
  if (!(await reachable(databaseUrl))) {
    console.error(`cannot reach Postgres at ${target.server}: start it (docker compose up -d postgres) or set DATABASE_URL`);
    return 1;
  }
  switch (command) {
    case "deploy": {
      if (await ensureDatabase(databaseUrl)) console.log(`created database ${target.database}`);
      const { applied } = await deployMigrations(databaseUrl);
      for (const name of applied) console.log(`applied ${name}`);
      console.log(applied.length ? `${target.database}: ${applied.length} migration(s) applied` : `${target.database}: up to date`);
      return 0;
    }
    case "status": {
      if (!(await databaseExists(databaseUrl))) {
        console.log(`${target.database}: database does not exist; \`npm run db:migrate\` creates it and applies the migrations`);
        return 1;
      }
      const status = await migrationStatus(databaseUrl);
      console.log(`${target.database}: ${status.applied.length} applied, ${status.pending.length} pending`);
      for (const name of status.pending) console.log(`pending ${name}`);
      for (const name of status.failed) console.log(`failed ${name}: it stopped part-way; repair the database by hand (see _prisma_migrations)`);
      for (const name of status.edited) console.log(`edited after it was applied: ${name}`);
      for (const name of status.unknown) console.log(`applied but missing from prisma/migrations: ${name}`);
      return status.failed.length + status.edited.length + status.unknown.length > 0 ? 1 : 0;
    }
    case "create": {
      const name = args.join("_");
      if (!name) {
        console.error(USAGE);
        return 2;
      }
      const dir = await createMigration(databaseUrl, name);
      console.log(
        dir
          ? `created ${relative(process.cwd(), dir)}/migration.sql (apply it with \`npm run db:migrate\`)`
          : "no changes: schema.prisma matches the migrations",
      );
      return 0;
    }
    case "check": {
      const sql = await diffSchemaAgainstMigrations(databaseUrl);
      if (!sql) {
        console.log("in sync: schema.prisma matches the migrations");
        return 0;
      }
      console.log(sql);
      console.error("drift: schema.prisma differs from the migrations; run `npm run db:migrate -- create <name>`");
      return 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

function describe(databaseUrl: string) {
  const url = new URL(databaseUrl);
  return { server: `${url.hostname}:${url.port || 5432}`, database: decodeURIComponent(url.pathname.slice(1)) };
}

/** False only when the server cannot be reached at all (a missing database is fine). */
async function reachable(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: withDatabase(databaseUrl, "postgres"), connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code && /^[0-9A-Z]{5}$/.test(code)) return true; // a Postgres error: the server answered
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

// Engine errors carry a Rust span trace after the message ("   0: schema_engine_wasm::...").
function firstParagraph(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/\n\s+0: /)[0].trim();
}

// exitCode rather than exit(): the process must end on its own once every
// engine and pool is closed, which keeps leaks visible.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`db:migrate failed: ${firstParagraph(error)}`);
    process.exitCode = 1;
  },
);
