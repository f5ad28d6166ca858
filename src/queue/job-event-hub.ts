import type { Redis } from "ioredis";
import type { JobEvent } from "../services/job-events.js";
import type { LiveJobEvents } from "../services/job-event-stream.js";
import { jobEventChannel } from "./job-event-channel.js";

export type JobEventListener = (event: JobEvent) => void;

export type JobEventHub = LiveJobEvents;

/**
 * Fans one Redis subscriber connection out to every SSE client of this API
 * process: one channel subscription per followed job, however many follow it.
 */
export function createJobEventHub(subscriber: Redis, prefix: string): JobEventHub {
  const followers = new Map<string, { listeners: Set<JobEventListener>; ready: Promise<unknown> }>();
  const channelPrefix = jobEventChannel(prefix, "");

  subscriber.on("message", (channel: string, message: string) => {
    if (!channel.startsWith(channelPrefix)) return;
    const entry = followers.get(channel.slice(channelPrefix.length));
    if (!entry) return;
    const event = JSON.parse(message) as JobEvent;
    for (const listener of entry.listeners) listener(event);
  });

  return {
    async subscribe(jobId, listener) {
      let entry = followers.get(jobId);
      if (!entry) {
        entry = { listeners: new Set(), ready: subscriber.subscribe(jobEventChannel(prefix, jobId)) };
        followers.set(jobId, entry);
      }
      entry.listeners.add(listener);
      const current = entry;
      try {
        await current.ready;
      } catch (error) {
        current.listeners.delete(listener);
        if (current.listeners.size === 0) followers.delete(jobId);
        throw error;
      }
      return () => {
        current.listeners.delete(listener);
        if (current.listeners.size === 0 && followers.get(jobId) === current) {
          followers.delete(jobId);
          subscriber.unsubscribe(jobEventChannel(prefix, jobId)).catch(() => undefined);
        }
      };
    },
  };
}
