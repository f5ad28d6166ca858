// Submissions of one project pass one at a time through a lock in Postgres
// (so that its job cap and ranks stay exact), which would cap one project
// at one transaction's round trips per job. Instead, per project, one
// transaction runs at a time in this process, and the submissions that
// arrive meanwhile go together in the next one (group commit): a lone
// submission goes at once, a busy project's pay one transaction per batch.

import type { Database } from "../db/client.js";
import { insertQueuedJobs, type NewJob } from "./job-queries.js";

/** The job's rank in its project when inserted, or the project's count of queued and running jobs when it was full. */
export type InsertOutcome = { inserted: true; rank: number } | { inserted: false; active: number };

export interface JobInsertBatchOptions {
  /** Jobs in one transaction at most. @defaultValue 32 */
  maxJobs?: number;
  /** JSON of one transaction's jobs at most, in characters (one job always goes, whatever its size). @defaultValue 4 MiB */
  maxChars?: number;
}

interface Waiting {
  job: NewJob;
  chars: number;
  resolve(outcome: InsertOutcome): void;
  reject(error: unknown): void;
}

export function createJobInsertBatches(db: Database, maxActive: number, { maxJobs = 32, maxChars = 4 * 1024 * 1024 }: JobInsertBatchOptions = {}) {
  /** Per project with a transaction under way: the submissions waiting for the next one. */
  const waiting = new Map<string, Waiting[]>();

  async function drain(projectId: string, queue: Waiting[]): Promise<void> {
    while (queue.length > 0) {
      let chars = 0;
      let count = 0;
      while (count < queue.length && count < maxJobs && (count === 0 || chars + queue[count].chars <= maxChars)) chars += queue[count++].chars;
      const batch = queue.splice(0, count);
      try {
        settle(batch, await insertQueuedJobs(db, projectId, batch.map((w) => w.job), maxActive));
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error);
        // One job the database refuses must not fail the others: each alone, so only its own fails.
        else for (const one of batch) await insertQueuedJobs(db, projectId, [one.job], maxActive).then((result) => settle([one], result), one.reject);
      }
    }
    waiting.delete(projectId);
  }

  function settle(batch: Waiting[], { active, inserted }: { active: number; inserted: number }): void {
    batch.forEach((w, i) => w.resolve(i < inserted ? { inserted: true, rank: active + i + 1 } : { inserted: false, active: active + inserted }));
  }

  return {
    /** Inserts a queued job and its first status event, unless its project has `maxActive` queued or running jobs. */
    insert(projectId: string, job: NewJob): Promise<InsertOutcome> {
      return new Promise((resolve, reject) => {
        const entry = { job, chars: JSON.stringify(job.spec).length + JSON.stringify(job.pipeline ?? null).length, resolve, reject };
        const queue = waiting.get(projectId);
        if (queue) return void queue.push(entry);
        const fresh = [entry];
        waiting.set(projectId, fresh);
        void drain(projectId, fresh);
      });
    },
  };
}
