import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployMigrations } from "../../src/db/migrations.js";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../src/embedded/postgres.js";

// PGlite is one Postgres session shared by every socket. These are the ways
// that sharing was seen to break, and must not any more.

let postgres: EmbeddedPostgres;
const clients: pg.Client[] = [];

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: postgres.url });
  c.on("error", () => undefined); // the test that kills a connection
  await c.connect();
  clients.push(c);
  return c;
}

beforeAll(async () => {
  postgres = await startEmbeddedPostgres(); // in memory
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await postgres?.close();
});

describe("the embedded Postgres shared by many connections", () => {
  // First: Prisma refuses to migrate a database that has tables it does not know.
  it("runs descent's migrations", async () => {
    const { applied } = await deployMigrations(postgres.url);
    expect(applied.length).toBeGreaterThan(0);
    expect((await deployMigrations(postgres.url)).applied).toEqual([]);
  });

  it("keeps a large insert's statement to itself while another connection queries", async () => {
    const [a, b] = [await client(), await client()];
    await a.query("CREATE TABLE blobs (id int, data bytea)");
    // 4 MiB arrives in many TCP chunks: pglite-socket's own queue let b's Parse in between a's Parse and Bind.
    const blob = Buffer.alloc(4 * 1024 * 1024, 7);
    let stop = false;
    let wrong = 0;
    const chatter = (async () => {
      for (let i = 0; !stop; i++) {
        const { rows } = await b.query("SELECT $1::int + 5 AS v", [i]);
        if (rows[0].v !== i + 5) wrong++;
      }
    })();
    for (let i = 0; i < 3; i++) await a.query("INSERT INTO blobs VALUES ($1, $2)", [i, blob]);
    stop = true;
    await chatter;
    expect(wrong).toBe(0);
    const { rows } = await a.query("SELECT count(*)::int AS n, sum(length(data))::int AS bytes FROM blobs");
    expect(rows[0]).toEqual({ n: 3, bytes: 3 * blob.length });
  });

  it("keeps other connections out of an open transaction", async () => {
    const [a, b] = [await client(), await client()];
    await a.query("CREATE TABLE t (x int)");
    await a.query("BEGIN");
    await a.query("INSERT INTO t VALUES ($1)", [1]);
    const seen = b.query("SELECT count(*)::int AS n FROM t"); // waits for a's ROLLBACK
    await new Promise((resolve) => setTimeout(resolve, 100));
    await a.query("ROLLBACK");
    expect((await seen).rows[0].n).toBe(0);
  });

  it("frees the session when a connection dies inside a transaction", async () => {
    const [a, b] = [await client(), await client()];
    await a.query("CREATE TABLE u (x int)");
    await a.query("BEGIN");
    await a.query("INSERT INTO u VALUES (1)");
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const { rows } = await b.query("SELECT count(*)::int AS n FROM u");
    expect(rows[0].n).toBe(0); // rolled back
  });
});
