// The migrations in prisma/migrations must build exactly what schema.prisma
// describes: this file fails when someone edits the schema and forgets
// `npm run db:migrate -- create <name>`. Needs the local Postgres server.
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEmptyDatabase,
  createMigration,
  deployMigrations,
  diffSchemaAgainstMigrations,
  dropDatabase,
  migrationStatus,
  withDatabase,
} from "../../src/db/migrations.js";

const serverUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const root = fileURLToPath(new URL("../../", import.meta.url));
const migrationsDir = join(root, "prisma", "migrations");

const database = `descent_migrations_test_${randomBytes(6).toString("hex")}`;
const databaseUrl = withDatabase(serverUrl, database);
let scratch: string;

beforeAll(async () => {
  await createEmptyDatabase(serverUrl, database);
  scratch = await mkdtemp(join(tmpdir(), "descent-migrations-"));
});

afterAll(async () => {
  await dropDatabase(serverUrl, database);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A copy of schema.prisma with one extra nullable column on Dataset. */
async function schemaWithExtraColumn(): Promise<string> {
  const schema = await readFile(join(root, "prisma", "schema.prisma"), "utf8");
  const modified = schema.replace(/model Dataset \{\n/, "$&  driftCanary String?\n");
  expect(modified).not.toBe(schema);
  const path = join(scratch, "schema.prisma");
  await writeFile(path, modified);
  return path;
}

describe("migrations", () => {
  it("deploy creates the tables once; a second deploy applies nothing", async () => {
    const local = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(local.length).toBeGreaterThan(0);

    const first = await deployMigrations(databaseUrl);
    expect(first.applied).toEqual(local.sort());

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(["Dataset", "TrainingJob", "EpochMetric", "Model", "_prisma_migrations"]),
      );
    } finally {
      await client.end();
    }

    expect((await deployMigrations(databaseUrl)).applied).toEqual([]);
    expect(await migrationStatus(databaseUrl)).toMatchObject({ pending: [], failed: [], edited: [], unknown: [] });
  });

  it("schema.prisma and prisma/migrations are in sync (else: npm run db:migrate -- create <name>)", async () => {
    expect(await diffSchemaAgainstMigrations(serverUrl)).toBe("");
  });

  it("detects a schema change the migrations lack, and create writes the migration for it", async () => {
    const schemaPath = await schemaWithExtraColumn();
    const drift = await diffSchemaAgainstMigrations(serverUrl, { schemaPath });
    expect(drift).toMatch(/ALTER TABLE "Dataset" ADD COLUMN\s+"driftCanary" TEXT/);

    // create, against a copy of the migrations directory, closes the gap.
    const copy = join(scratch, "migrations");
    await cp(migrationsDir, copy, { recursive: true });
    const created = await createMigration(serverUrl, "add drift canary", { schemaPath, migrationsDir: copy });
    expect(created).toMatch(/[/\\]\d{14}_add_drift_canary$/);
    expect(await readFile(join(created!, "migration.sql"), "utf8")).toContain(`"driftCanary" TEXT`);
    expect(await diffSchemaAgainstMigrations(serverUrl, { schemaPath, migrationsDir: copy })).toBe("");
    expect(await createMigration(serverUrl, "nothing", { schemaPath, migrationsDir: copy })).toBeNull();
  });
});
