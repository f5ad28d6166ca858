import { createParser, type EventSourceMessage } from "eventsource-parser";

export interface ReceivedEvent {
  id?: string;
  event?: string;
  data: any;
}

/**
 * Follows an SSE endpoint with fetch, parsing with eventsource-parser, until
 * the server closes the stream or `stopWhen` returns true for an event.
 * `onEvent` sees each event as it arrives (to act while the stream is open).
 */
export async function readEvents(
  url: string,
  {
    lastEventId,
    stopWhen,
    onEvent,
    timeoutMs = 60_000,
  }: { lastEventId?: string; stopWhen?: (event: ReceivedEvent) => boolean; onEvent?: (event: ReceivedEvent) => void; timeoutMs?: number } = {},
): Promise<{ events: ReceivedEvent[]; closedByServer: boolean; status: number }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: ReceivedEvent[] = [];
  let stop = false;
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      if (stop) return;
      const event = { id: message.id, event: message.event, data: JSON.parse(message.data) };
      events.push(event);
      onEvent?.(event);
      if (stopWhen?.(event)) stop = true;
    },
  });
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) }, signal: controller.signal });
  if (!res.ok || !res.body) {
    clearTimeout(timer);
    return { events, closedByServer: true, status: res.status };
  }
  const decoder = new TextDecoder();
  let closedByServer = false;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (stop) break;
    }
    closedByServer = !stop;
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    throw new Error(`no end of stream within ${timeoutMs} ms; got ${events.length} events`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { events, closedByServer, status: res.status };
}
