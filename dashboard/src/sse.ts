// Server-Sent Events over fetch, so the Bearer key goes along (EventSource
// cannot send headers). Reconnects with Last-Event-ID when the stream drops
// before `done`, so nothing is missed and nothing is seen twice.

import { createParser, type EventSourceMessage } from "eventsource-parser";
import { ApiError, request } from "./api";

export interface StreamEvent {
  id?: string;
  event: string;
  data: any;
}

export interface FollowOptions {
  onEvent(event: StreamEvent): void;
  /** true while connected; false while waiting to reconnect. */
  onConnection?(connected: boolean): void;
  /** A failure that retrying will not fix (404, 401): following stops. */
  onFatal?(error: ApiError): void;
  signal: AbortSignal;
  /** The event name after which the server closes the stream. */
  last?: string;
}

export async function followEvents(path: string, { onEvent, onConnection, onFatal, signal, last = "done" }: FollowOptions): Promise<void> {
  let lastEventId: string | undefined;
  let finished = false;
  let delay = 500;
  while (!signal.aborted && !finished) {
    try {
      const res = await request(path, { headers: { accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) }, signal, cache: "no-store" });
      onConnection?.(true);
      delay = 500;
      const parser = createParser({
        onEvent(message: EventSourceMessage) {
          if (message.id) lastEventId = message.id;
          let data: unknown = message.data;
          try {
            data = JSON.parse(message.data);
          } catch {
            /* plain text */
          }
          const event = { id: message.id, event: message.event ?? "message", data };
          if (event.event === last) finished = true;
          onEvent(event);
        },
      });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) {
        onFatal?.(error);
        return;
      }
    }
    if (finished || signal.aborted) break;
    onConnection?.(false);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 8_000);
  }
  onConnection?.(false);
}
