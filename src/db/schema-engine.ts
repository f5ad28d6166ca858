// Wiring for Prisma's WebAssembly schema engine (@prisma/schema-engine-wasm)
// over @prisma/adapter-pg. Prisma 7's CLI wants a native schema-engine binary
// it cannot download here; the WASM build does the same work in-process.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
// A dependency of @prisma/adapter-pg (same version), not listed in package.json.
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine } from "@prisma/schema-engine-wasm/schema_engine_bg";

export type { SchemaEngine };

// Postgres' internal types `"char"` (pg_class.relkind, ...) and their arrays
// appear in the engine's introspection queries, and adapter-pg rejects them
// as unsupported column types. pg hands their values over as plain strings,
// so relabelling the result columns as text is all it takes.
const RELABEL_AS_TEXT = new Map<number, number>([
  [18, 25], // "char" -> text
  [1002, 1009], // "char"[] -> text[]
  [1003, 1009], // name[] -> text[]
]);

/** A pg Client whose result columns never carry the internal types above. */
class TextualClient extends pg.Client {
  // pg-pool calls query() with a callback; adapter transactions use the promise.
  override query(...args: unknown[]): any {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args[args.length - 1] = (err: Error | null, res: pg.QueryResult | pg.QueryResult[]) =>
        (last as (e: Error | null, r: unknown) => void)(err, err ? res : relabel(res));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    return result instanceof Promise ? result.then(relabel) : result;
  }
}

function relabel<T>(res: T): T {
  for (const r of Array.isArray(res) ? res : [res]) {
    for (const field of (r as pg.QueryResult | undefined)?.fields ?? []) {
      field.dataTypeID = RELABEL_AS_TEXT.get(field.dataTypeID) ?? field.dataTypeID;
    }
  }
  return res;
}

export function createPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, Client: TextualClient, max: 4, connectionTimeoutMillis: 10_000 });
  // pool.end() resolves before its sockets are closed, so the DROP DATABASE ...
  // WITH (FORCE) that follows can kill a closing client. pg-pool discards such
  // clients itself; without a listener the 'error' event would crash the process.
  pool.on("error", () => {});
  return pool;
}

/** Same server, other database. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Runs `fn` on a client connected to the `postgres` database of the same server. */
async function withAdmin<T>(databaseUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: withDatabase(databaseUrl, "postgres"), connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

export async function createEmptyDatabase(databaseUrl: string, database: string): Promise<void> {
  await withAdmin(databaseUrl, (admin) => admin.query(`CREATE DATABASE ${quoteIdent(database)}`));
}

/** Drops a database even if something still holds connections to it (end your own pools first). */
export async function dropDatabase(databaseUrl: string, database: string): Promise<void> {
  await withAdmin(databaseUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`));
}

export async function databaseExists(databaseUrl: string): Promise<boolean> {
  const { rowCount } = await withAdmin(databaseUrl, (admin) =>
    admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [databaseName(databaseUrl)]),
  );
  return Boolean(rowCount);
}

/** Creates the database named in `databaseUrl` unless it exists; true when created. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  if (await databaseExists(databaseUrl)) return false;
  try {
    await createEmptyDatabase(databaseUrl, databaseName(databaseUrl));
    return true;
  } catch (error) {
    // 42P04 duplicate_database: someone else created it meanwhile.
    if ((error as { code?: string }).code === "42P04") return false;
    throw error;
  }
}

/** Runs `fn` with the URL of a new, empty database on the same server, dropped afterwards. */
export async function withTemporaryDatabase<T>(databaseUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  await dropStaleTemporaryDatabases(databaseUrl);
  const name = temporaryName("descent_tmp");
  await createEmptyDatabase(databaseUrl, name);
  try {
    return await fn(withDatabase(databaseUrl, name));
  } finally {
    await dropDatabase(databaseUrl, name);
  }
}

// Temporary names carry their creation time, so that databases left behind
// by a killed process can be recognised as stale and dropped later.
const TEMPORARY_NAME = /^descent_(tmp|shadow)_(\d+)_[0-9a-f]+$/;
const STALE_AFTER_SECONDS = 3600;

function temporaryName(prefix: "descent_tmp" | "descent_shadow"): string {
  return `${prefix}_${Math.floor(Date.now() / 1000)}_${randomBytes(8).toString("hex")}`;
}

async function dropStaleTemporaryDatabases(databaseUrl: string): Promise<void> {
  const { rows } = await withAdmin(databaseUrl, (admin) =>
    admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'descent\\_%'"),
  );
  const cutoff = Date.now() / 1000 - STALE_AFTER_SECONDS;
  for (const { datname } of rows) {
    const match = TEMPORARY_NAME.exec(datname);
    if (match && Number(match[2]) < cutoff) await dropDatabase(databaseUrl, datname).catch(() => {});
  }
}

export function databaseName(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || "postgres";
}

// tsconfig's lib (ES2023, no DOM) has no WebAssembly types; this is all we use.
const { WebAssembly } = globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }> };
};

let loaded: Promise<typeof bindings> | undefined;

/** Instantiates the WASM module once per process (Node can't `import` .wasm without a flag). */
function loadBindings(): Promise<typeof bindings> {
  loaded ??= (async () => {
    const entry = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm");
    const bytes = readFileSync(join(dirname(entry), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": withUnrefTimers(bindings) });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    // The engine reports Rust panics through this global before trapping.
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(m: string): void } };
    g.PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message(message: string) {
        throw new Error(`schema engine panic: ${message}`);
      },
    };
    return bindings;
  })();
  return loaded;
}

/**
 * The engine arms a 10 s timer around taking the migrations advisory lock and
 * has no way to clear it (the bindings import setTimeout, not clearTimeout),
 * which kept every command alive for 10 s after its work was done. Its timers
 * only ever race real database I/O, which keeps the process alive by itself.
 */
function withUnrefTimers(module: typeof bindings): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...module };
  for (const name of Object.keys(imports).filter((n) => n.startsWith("__wbg_setTimeout_"))) {
    imports[name] = (callback: () => void, ms: number) => setTimeout(callback, ms >>> 0).unref();
  }
  return imports;
}

export interface EngineSession {
  engine: SchemaEngine;
  /** Frees the engine, ends every pool and drops the shadow databases. */
  close(): Promise<void>;
}

/**
 * Opens an engine on `databaseUrl`. Shadow databases (which replay the
 * migrations for diff and devDiagnostic) are created on the same server under
 * a temporary name and dropped on close.
 */
export async function openEngine(databaseUrl: string): Promise<EngineSession> {
  const { SchemaEngine } = await loadBindings();
  const pools: pg.Pool[] = [];
  const shadows: string[] = [];
  const open = (url: string) => {
    const pool = createPool(url);
    pools.push(pool);
    return new PrismaPg(pool).connect();
  };
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => open(databaseUrl),
    async connectToShadowDb() {
      const name = temporaryName("descent_shadow");
      await createEmptyDatabase(databaseUrl, name);
      shadows.push(name);
      return open(withDatabase(databaseUrl, name));
    },
  };
  const release = async () => {
    // Pools first: a shadow database cannot be dropped while we hold it.
    await Promise.allSettled(pools.map((p) => p.end()));
    for (const name of shadows) await dropDatabase(databaseUrl, name);
  };
  const log = process.env.DEBUG_SCHEMA_ENGINE ? (line: string) => console.error(line) : () => {};
  let engine: SchemaEngine;
  try {
    engine = await SchemaEngine.new({ datamodels: undefined }, log, bindMigrationAwareSqlAdapterFactory(factory));
  } catch (error) {
    await release();
    throw error;
  }
  let closed = false;
  return {
    engine,
    async close() {
      if (closed) return;
      closed = true;
      engine.free();
      await release();
    },
  };
}
