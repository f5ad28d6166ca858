import type { Redis } from "ioredis";
import type { JobEvent, JobEventSink } from "../services/job-events.js";

// Job events cross processes (worker -> API) on one Redis pub/sub channel per
// job, and cancel requests (API -> workers) on one channel for all workers.

export function jobEventChannel(prefix: string, jobId: string): string {
  return `${prefix}:job-events:${jobId}`;
}

export function cancelChannel(prefix: string): string {
  return `${prefix}:job-cancel`;
}

/** Publishes events on Redis; a publish that fails is dropped (the durable ones are in Postgres and replayed). */
export function redisEventSink(redis: Redis, prefix: string): JobEventSink {
  return {
    publish(jobId: string, event: JobEvent) {
      redis.publish(jobEventChannel(prefix, jobId), JSON.stringify(event)).catch(() => undefined);
    },
  };
}
