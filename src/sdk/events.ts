import { createParser } from "eventsource-parser";
import { DescentApiError, type Problem } from "./errors.js";

/** One Server-Sent Event of GET /v1/jobs/{id}/events; `data` is its parsed JSON. */
export type JobEvent =
  | { id?: string; event: "status"; data: { status: string; at?: string; message?: string; attempt?: number } }
  | { id?: string; event: "progress"; data: { epoch: number; batch: number; batches: number; loss: number } }
  | { id?: string; event: "epoch"; data: { epoch: number; loss: number; durationMs: number; [metric: string]: unknown } }
  | { id?: string; event: "change"; data: { at: string; epoch: number; fields: { path: string; from: number | null; to: number }[] } }
  | { id?: string; event: "done"; data: { status: string; resultModelId?: string; metrics?: Record<string, unknown>; error?: { code: string; message: string } } };

export interface FollowOptions {
  /** Resume after this event id (what the previous stream's last event carried). */
  lastEventId?: string;
  signal?: AbortSignal;
  /** Reconnections after the stream drops before `done`. @defaultValue 5 */
  retries?: number;
}

export interface FollowResult {
  /** The `done` event's data. */
  done: Extract<JobEvent, { event: "done" }>["data"];
  /** The id of the last event seen, to resume from later. */
  lastEventId: string | undefined;
}

interface Connection {
  baseUrl: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
}

/**
 * Reads the job's event stream with eventsource-parser until its `done`
 * event. A stream that ends early (API restart, proxy timeout) is reopened
 * with Last-Event-ID, so no event is missed or seen twice.
 */
export async function followJob(
  connection: Connection,
  jobId: string,
  onEvent: (event: JobEvent) => void,
  { lastEventId, signal, retries = 5 }: FollowOptions = {},
): Promise<FollowResult> {
  let lastId = lastEventId;
  for (let attempt = 0; ; attempt++) {
    let done: FollowResult["done"] | undefined;
    try {
      await readStream(connection, jobId, lastId, signal, (event) => {
        if (event.id) lastId = event.id;
        if (event.event === "done") done = event.data;
        onEvent(event);
      });
    } catch (error) {
      if (error instanceof DescentApiError || signal?.aborted || attempt >= retries) throw error;
    }
    if (done) return { done, lastEventId: lastId };
    if (attempt >= retries) throw new Error(`the event stream of ${jobId} ended ${retries + 1} times before its done event`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5_000)));
  }
}

async function readStream(connection: Connection, jobId: string, lastEventId: string | undefined, signal: AbortSignal | undefined, onEvent: (event: JobEvent) => void) {
  const url = `${connection.baseUrl.replace(/\/$/, "")}/v1/jobs/${encodeURIComponent(jobId)}/events`;
  const res = await connection.fetch(url, {
    headers: { ...connection.headers, accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
    signal,
  });
  if (!res.ok || !res.body) {
    const text = await res.text();
    throw new DescentApiError(res.status, text.startsWith("{") ? (JSON.parse(text) as Problem) : undefined);
  }
  const parser = createParser({
    onEvent: (message) => onEvent({ id: message.id, event: message.event, data: JSON.parse(message.data) } as JobEvent),
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
}
