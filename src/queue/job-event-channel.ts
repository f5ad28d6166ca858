import type { Redis } from "ioredis";
import type { JobEvent, JobEventSink } from "../services/job-events.js";
import type { JobSignals, StopRequest } from "../services/jobs.js";

// Job events cross processes (worker -> API) on one Redis pub/sub channel per
// job, and stop requests (cancel, pause: API -> workers) on one channel for all workers.

export function jobEventChannel(prefix: string, jobId: string): string {
  return `${prefix}:job-events:${jobId}`;
}

export function jobControlChannel(prefix: string): string {
  return `${prefix}:job-control`;
}

/** A stop request as sent on the control channel. */
export interface ControlMessage {
  jobId: string;
  stop: StopRequest;
}

/** The control channel's message, or null for one this version does not understand. */
export function parseControlMessage(text: string): ControlMessage | null {
  try {
    const message = JSON.parse(text) as Partial<ControlMessage>;
    return typeof message.jobId === "string" && (message.stop === "cancel" || message.stop === "pause") ? { jobId: message.jobId, stop: message.stop } : null;
  } catch {
    return null;
  }
}

/** Publishes events on Redis; a publish that fails is dropped (the durable ones are in Postgres and replayed). */
export function redisEventSink(redis: Redis, prefix: string): JobEventSink {
  return {
    publish(jobId: string, event: JobEvent) {
      redis.publish(jobEventChannel(prefix, jobId), JSON.stringify(event)).catch(() => undefined);
    },
  };
}

/** The job service's signals over Redis: stop requests on the control channel, events on each job's channel. */
export function redisJobSignals(redis: Redis, prefix: string): JobSignals {
  return {
    requestStop: async (jobId, stop) => void (await redis.publish(jobControlChannel(prefix), JSON.stringify({ jobId, stop } satisfies ControlMessage))),
    events: redisEventSink(redis, prefix),
  };
}
