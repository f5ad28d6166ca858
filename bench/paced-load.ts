// An open-loop load at an even pace: request i is due at start + i / rate and
// its latency counts from that moment (so a slow answer that delays the next
// sends is measured, not hidden: no coordinated omission). autocannon's
// overallRate is a per-second budget per connection: every connection sends
// its share back to back at the start of each second, then waits for the next
// (autocannon 9.0.0, lib/httpClient.js), so its latencies at a "rate" are those
// of bursts of `connections` requests at once. This is the other half of the
// picture: the same rate spread evenly, as independent clients send it.

import http from "node:http";

export interface PacedRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface PacedResult {
  sent: number;
  /** Answers per second over the run. */
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

/** Sends `rate` requests per second for `seconds`, taking `requests` in turn, over at most `sockets` keep-alive connections. */
export async function pacedLoad(base: string, requests: PacedRequest[], rate: number, seconds: number, sockets = 64): Promise<PacedResult> {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const pending: Promise<void>[] = [];
  const send = (request: PacedRequest, due: number) =>
    new Promise<void>((resolve) => {
      const req = http.request({ host: url.hostname, port: url.port, method: request.method, path: request.path, headers: request.headers, agent }, (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(performance.now() - due);
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) non2xx++;
          resolve();
        });
      });
      req.on("error", () => (errors++, resolve()));
      req.end(request.body);
    });
  const start = performance.now();
  let next = 0;
  while (next < total) {
    const now = performance.now();
    // Everything due by now goes out (a timer tick can be late: catch up rather than drift).
    for (; next < total && start + (next * 1000) / rate <= now; next++) pending.push(send(requests[next % requests.length], start + (next * 1000) / rate));
    if (next < total) await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + (next * 1000) / rate - performance.now())));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { sent: total, achieved: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? NaN, non2xx, errors };
}
