// Idempotency-Key on POST /v1/jobs and POST /v1/datasets: the first request
// with a key claims it (a row with statusCode 0), does the work and stores
// its answer; a request with the same key and body gets that answer back,
// even while the first is still in flight (it waits); the same key with
// another body is a 409. Keys are per project and route, kept 24 hours.

import { createHash } from "node:crypto";
import type { Database, Prisma } from "../db/client.js";
import { DescentError } from "../errors.js";

const KEEP_MS = 24 * 3600 * 1000;
const POLL_MS = 50;
const WAIT_MS = 30_000;

export interface StoredAnswer {
  statusCode: number;
  body: unknown;
  replayed: boolean;
}

export function createIdempotency({ db }: { db: Database }) {
  async function claim(projectId: string, route: string, key: string, requestHash: string): Promise<boolean> {
    const inserted = await db.$executeRaw`
      INSERT INTO "IdempotencyRecord" ("projectId", "route", "key", "requestHash", "statusCode", "createdAt")
      VALUES (${projectId}, ${route}, ${key}, ${requestHash}, 0, now())
      ON CONFLICT DO NOTHING`;
    return inserted === 1;
  }

  /** Waits for the answer of whoever holds the key. */
  async function awaitAnswer(projectId: string, route: string, key: string, requestHash: string): Promise<StoredAnswer | "expired"> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const record = await db.idempotencyRecord.findUnique({ where: { projectId_route_key: { projectId, route, key } } });
      if (!record) return "expired"; // the holder failed and let go of the key: try to claim it again
      if (Date.now() - record.createdAt.getTime() > KEEP_MS) {
        await db.idempotencyRecord.deleteMany({ where: { projectId, route, key, createdAt: record.createdAt } });
        return "expired";
      }
      if (record.requestHash !== requestHash) {
        throw new DescentError("CONFLICT", `Idempotency-Key ${JSON.stringify(key)} was used with a different request body`, [
          { path: "Idempotency-Key", message: "already used with a different body" },
        ]);
      }
      if (record.statusCode > 0) return { statusCode: record.statusCode, body: record.body, replayed: true };
      if (Date.now() > deadline) throw new DescentError("CONFLICT", `a request with Idempotency-Key ${JSON.stringify(key)} is still in progress; retry later`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  return {
    /** Runs `perform` once per (project, route, key, body); later calls get its answer. */
    async run(
      projectId: string,
      route: string,
      key: string,
      body: unknown,
      perform: () => Promise<{ statusCode: number; body: unknown }>,
    ): Promise<StoredAnswer> {
      const requestHash = hashBody(body);
      for (;;) {
        if (await claim(projectId, route, key, requestHash)) {
          try {
            const answer = await perform();
            await db.idempotencyRecord.update({
              where: { projectId_route_key: { projectId, route, key } },
              data: { statusCode: answer.statusCode, body: answer.body as Prisma.InputJsonValue },
            });
            return { ...answer, replayed: false };
          } catch (error) {
            // Nothing was created: let a retry with the same key do the work.
            await db.idempotencyRecord.deleteMany({ where: { projectId, route, key, statusCode: 0 } });
            throw error;
          }
        }
        const answer = await awaitAnswer(projectId, route, key, requestHash);
        if (answer !== "expired") return answer;
      }
    },
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;

/** sha256 of the body as JSON with sorted keys, so key order does not matter. */
function hashBody(body: unknown): string {
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
