// Measures BullMQ on the candidate queue stores (not a test; run by hand):
//   npx tsx test/embedded/measure-queue-routes.ts [jobs=500] [rounds=3]
// For each store: no-op jobs added in bulk, one Worker (concurrency 8) and a
// QueueEvents listener; prints jobs/s per round, jobs lost or run twice, and
// how many `completed` events arrived. Everything runs in this one process.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue, QueueEvents, Worker, createPostgresBackend, withBackend } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { startEmbeddedPostgres } from "../../src/embedded/postgres.js";
import { startEmbeddedRedis } from "../../src/embedded/redis.js";

const JOBS = Number(process.argv[2] ?? 500);
const ROUNDS = Number(process.argv[3] ?? 3);
const prefix = `measure-${process.pid}`;

interface Classes {
  queue: Queue;
  worker: (processor: (job: { id?: string }) => Promise<void>) => Worker;
  events: QueueEvents;
  close(): Promise<void>;
}

async function measure(name: string, make: () => Promise<Classes>) {
  const { queue, worker: makeWorker, events, close } = await make();
  const seen = new Map<string, number>();
  let completedEvents = 0;
  events.on("completed", () => completedEvents++);
  await events.waitUntilReady();
  const worker = makeWorker(async (job) => {
    seen.set(job.id!, (seen.get(job.id!) ?? 0) + 1);
  });
  await worker.waitUntilReady();
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const ids = Array.from({ length: JOBS }, (_, i) => `r${round}-${i}`);
    const started = performance.now();
    for (let i = 0; i < ids.length; i += 100) {
      await queue.addBulk(ids.slice(i, i + 100).map((jobId) => ({ name: "noop", data: {}, opts: { jobId } })));
    }
    const deadline = Date.now() + 120_000;
    while (ids.some((id) => !seen.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    rates.push(Math.round(JOBS / ((performance.now() - started) / 1000)));
  }
  await new Promise((r) => setTimeout(r, 1_000)); // let late events arrive
  const total = JOBS * ROUNDS;
  const lost = total - seen.size;
  const twice = [...seen.values()].filter((n) => n > 1).length;
  console.log(`${name.padEnd(34)} jobs/s by round: ${rates.join(", ").padEnd(18)} lost ${lost}, run twice ${twice}, completed events ${completedEvents}/${total}`);
  await worker.close();
  await events.close();
  await queue.close();
  await close();
}

function redisClasses(url: string, maxLen?: number) {
  return async (): Promise<Classes> => {
    const [connection, workerConnection, eventsConnection] = [1, 2, 3].map(() => new Redis(url, { maxRetriesPerRequest: null }));
    const queueName = `q${Math.random().toString(36).slice(2, 8)}`;
    return {
      queue: new Queue(queueName, { connection, prefix, ...(maxLen ? { streams: { events: { maxLen } } } : {}), defaultJobOptions: { removeOnComplete: { count: 1000 } } }),
      worker: (processor) => new Worker(queueName, processor, { connection: workerConnection, prefix, concurrency: 8 }),
      events: new QueueEvents(queueName, { connection: eventsConnection, prefix }),
      async close() {
        const keys = await connection.keys(`${prefix}:${queueName}:*`);
        if (keys.length) await connection.del(...keys);
        for (const redis of [connection, workerConnection, eventsConnection]) redis.disconnect();
      },
    };
  };
}

function postgresClasses(url: string) {
  return async (): Promise<Classes> => {
    // NOTIFY does not cross pglite-socket connections: poll, and pin search_path on the one shared session.
    const admin = new pg.Client(url);
    await admin.connect();
    await admin.query("CREATE SCHEMA IF NOT EXISTS bullmq");
    await admin.query("SET search_path TO public, bullmq");
    await admin.end();
    const { Queue: PgQueue, Worker: PgWorker, QueueEvents: PgQueueEvents } = withBackend(createPostgresBackend);
    const connection = { connectionString: url, max: 4, migrate: true };
    const queueName = `q${Math.random().toString(36).slice(2, 8)}`;
    return {
      queue: new PgQueue(queueName, { connection, defaultJobOptions: { removeOnComplete: { count: 1000 } } }) as unknown as Queue,
      worker: (processor) => new PgWorker(queueName, processor, { connection, concurrency: 8, drainDelay: 0.2 }) as unknown as Worker,
      events: new PgQueueEvents(queueName, { connection, blockingTimeout: 200 }) as unknown as QueueEvents,
      async close() {},
    };
  };
}

const external = process.env.MEASURE_REDIS_URL ?? "redis://127.0.0.1:6379";
await measure("external Redis", redisClasses(external));

const jsRedis = await startEmbeddedRedis();
await measure("js-redis-server (events maxLen 10000)", redisClasses(jsRedis.url));
await measure("js-redis-server (events maxLen 100)", redisClasses(jsRedis.url, 100));
await jsRedis.close();

if (!process.argv.includes("--no-postgres")) {
  const dir = await mkdtemp(join(tmpdir(), "descent-measure-"));
  const pglite = await startEmbeddedPostgres({ dataDir: join(dir, "pg") });
  try {
    await measure("BullMQ Postgres backend on PGlite", postgresClasses(pglite.url));
  } finally {
    await pglite.close();
    await rm(dir, { recursive: true, force: true });
  }
}
process.exit(0);
