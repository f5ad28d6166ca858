// GET /v1/jobs/:id/events as a sequence: the durable events after the
// client's Last-Event-ID from Postgres, then live ones from the hub, without
// duplicates or gaps, until the job's `done` event.

import type { Database } from "../db/client.js";
import { invalid, notFound } from "../errors.js";
import type { JobEvent } from "./job-events.js";

/** Where live events of jobs arrive (src/queue/job-event-hub.ts: Redis pub/sub). */
export interface LiveJobEvents {
  /** Resolves once the subscription is in place; the function it gives back unsubscribes. */
  subscribe(jobId: string, listener: (event: JobEvent) => void): Promise<() => void>;
}

/**
 * Live events normally arrive through the hub; Postgres is read again this
 * often in case a publish was lost (a worker that died between its commit and
 * its publish, a Redis blip), so a follower never waits forever.
 */
const RECHECK_INTERVAL_MS = 5_000;

export function createJobEventStream({ db, hub, recheckIntervalMs = RECHECK_INTERVAL_MS }: { db: Database; hub: LiveJobEvents; recheckIntervalMs?: number }) {
  async function storedEvents(jobId: string, afterId: bigint): Promise<JobEvent[]> {
    const rows = await db.jobEvent.findMany({ where: { jobId, id: { gt: afterId } }, orderBy: { id: "asc" }, take: 10_000 });
    return rows.map((row) => ({ id: row.id.toString(), type: row.type as JobEvent["type"], data: row.data as Record<string, unknown> }));
  }

  /**
   * Throws NOT_FOUND before anything is streamed, and 400 for a Last-Event-ID
   * that is not one of ours. Returns false when the client has already seen
   * the job's `done` event: there is nothing left to send.
   */
  async function open(projectId: string, jobId: string, lastEventId: string | null): Promise<boolean> {
    const after = parseEventId(lastEventId);
    const job = await db.trainingJob.findFirst({ where: { id: jobId, projectId }, select: { id: true } });
    if (!job) throw notFound("job", jobId);
    if (after === 0n) return true;
    const done = await db.jobEvent.findFirst({ where: { jobId, type: "done", id: { lte: after } }, select: { id: true } });
    return done === null;
  }

  async function* follow(jobId: string, lastEventId: string | null, signal: AbortSignal): AsyncGenerator<JobEvent> {
    let lastSent = parseEventId(lastEventId);
    const live: JobEvent[] = [];
    let wake: (() => void) | null = null;
    const onAbort = () => wake?.();
    signal.addEventListener("abort", onAbort);
    // Subscribe before reading Postgres: an event committed in between is
    // then seen twice (and skipped by id), never missed.
    const unsubscribe = await hub.subscribe(jobId, (event) => {
      live.push(event);
      wake?.();
    });
    try {
      let pending = await storedEvents(jobId, lastSent);
      let lastCheck = Date.now();
      while (!signal.aborted) {
        for (const event of pending) {
          if (event.id !== undefined) {
            if (BigInt(event.id) <= lastSent) continue;
            lastSent = BigInt(event.id);
          }
          yield event;
          if (event.type === "done") return;
        }
        pending = live.splice(0);
        if (pending.length > 0) continue;

        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.max(0, recheckIntervalMs - (Date.now() - lastCheck))).unref();
        });
        wake = null;
        pending = live.splice(0);
        if (pending.length === 0 && Date.now() - lastCheck >= recheckIntervalMs) {
          // Postgres down: keep following the live events, and read it again at the next check.
          pending = await storedEvents(jobId, lastSent).catch(() => []);
          lastCheck = Date.now();
        }
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      unsubscribe();
    }
  }

  return { open, follow };
}

export type JobEventStream = ReturnType<typeof createJobEventStream>;

const MAX_EVENT_ID = 2n ** 63n - 1n; // Postgres bigint

function parseEventId(value: string | null): bigint {
  if (value === null || value === "") return 0n;
  const id = /^\d{1,19}$/.test(value) ? BigInt(value) : -1n;
  if (id < 0n || id > MAX_EVENT_ID) throw invalid("headers/last-event-id", `${JSON.stringify(value.slice(0, 32))} is not an event id of this stream`);
  return id;
}

