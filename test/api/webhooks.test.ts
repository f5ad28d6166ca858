import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisConnection } from "../../src/queue/connection.js";
import { startWebhookDispatcher, type WebhookDispatcher } from "../../src/queue/webhook-queue.js";
import { createTrainingRunner } from "../../src/services/training-runner.js";
import { checkWebhookUrl } from "../../src/services/url-safety.js";
import { createWebhookDeliveries } from "../../src/services/webhook-deliveries.js";
import { createWebhookService } from "../../src/services/webhooks.js";
import { createTestContext, redisUrl, type TestContext } from "../helpers/context.js";

// Webhooks end to end: endpoints registered through the API, a job's end
// written as deliveries with its done event, moved onto the webhook queue and
// POSTed to a real HTTP server here, signed as Standard Webhooks says (checked
// with the standardwebhooks package), retried with the same webhook-id, logged.

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** An HTTP server that answers each request with the next status of `script` (the last one repeats). */
class Receiver {
  readonly requests: Received[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private server: Server;
  constructor(private readonly script: number[]) {
    this.server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        this.requests.push({ headers: request.headers, body, at: Date.now() });
        const status = this.script[Math.min(this.requests.length - 1, this.script.length - 1)];
        response.writeHead(status, status >= 300 && status < 400 ? { location: "http://127.0.0.1:1/elsewhere" } : {}).end(status >= 400 ? "not today" : "");
        this.waiters = this.waiters.filter((w) => (this.requests.length >= w.count ? (w.resolve(), false) : true));
      });
    });
  }
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let ctx: TestContext;
let dispatcher: WebhookDispatcher;
let datasetId: string;
const receivers: Receiver[] = [];
const connection = createRedisConnection(redisUrl, "worker");
const MAX_ATTEMPTS = 4;

beforeAll(async () => {
  ctx = await createTestContext({ configEnv: { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" } });
  dispatcher = startWebhookDispatcher({
    connection,
    prefix: ctx.queuePrefix,
    deliveries: createWebhookDeliveries({ db: ctx.db, settings: { allowPrivate: true, timeoutMs: 2_000 } }),
    log: pino({ level: "silent" }),
    maxAttempts: MAX_ATTEMPTS,
    backoffMs: 50,
    pollIntervalMs: 20,
  });
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: [0, 1, 1, 0] } })).json().id;
});
afterAll(async () => {
  await dispatcher?.close();
  connection.disconnect();
  await Promise.all(receivers.map((r) => r.close()));
  await ctx?.close();
});

async function endpoint(script: number[], events: string[]): Promise<{ receiver: Receiver; id: string; secret: string }> {
  const receiver = new Receiver(script);
  receivers.push(receiver);
  const created = await ctx.app.inject({ method: "POST", url: "/v1/webhooks", payload: { url: await receiver.start(), events } });
  expect(created.statusCode, created.body).toBe(201);
  return { receiver, id: created.json().id, secret: created.json().secret };
}

const job = (epochs = 2) => ({
  datasetId,
  model: { layers: [{ type: "dense", units: 4, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
  training: { epochs, batchSize: 4, loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.1 } },
});

async function trainedJob(): Promise<{ id: string; finishedAt: number; resultModelId: string }> {
  const submitted = (await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: job() })).json();
  await createTrainingRunner({ db: ctx.db }).run(submitted.id, { lastDelivery: true });
  const done = (await ctx.app.inject({ url: `/v1/jobs/${submitted.id}` })).json();
  return { id: done.id, finishedAt: Date.parse(done.finishedAt), resultModelId: done.resultModelId };
}

const deliveriesOf = async (id: string) => (await ctx.app.inject({ url: `/v1/webhooks/${id}/deliveries` })).json().data;

describe("webhooks", () => {
  it("signs a job's end as Standard Webhooks says and delivers it; the secret is shown once", async () => {
    const { receiver, id, secret } = await endpoint([204], ["job.succeeded", "job.failed"]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const read = (await ctx.app.inject({ url: `/v1/webhooks/${id}` })).json();
    expect(read).toMatchObject({ id, events: ["job.succeeded", "job.failed"] });
    expect(read.secret).toBeUndefined();

    const trained = await trainedJob();
    await receiver.received(1);
    const [request] = receiver.requests;
    console.info(`webhook delivered ${request.at - trained.finishedAt} ms after the job's finishedAt`);
    const verified = new Webhook(secret).verify(request.body, request.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    expect(verified).toMatchObject({ type: "job.succeeded", data: { jobId: trained.id, status: "succeeded", resultModelId: trained.resultModelId } });
    expect(request.headers["webhook-id"]).toMatch(/^msg_/);
    expect(() => new Webhook(secret).verify(request.body.replace("succeeded", "failed"), request.headers as Record<string, string>)).toThrow();

    await expect.poll(async () => (await deliveriesOf(id))[0]?.status).toBe("succeeded");
    expect((await deliveriesOf(id))[0]).toMatchObject({ id: request.headers["webhook-id"], eventType: "job.succeeded", attempts: 1, lastStatusCode: 204, lastError: null });
  });

  it("retries failures with backoff under the same webhook-id until a 2xx, and logs every attempt", async () => {
    const { receiver, id } = await endpoint([500, 503, 200], ["job.succeeded"]);
    await trainedJob();
    await receiver.received(3);
    expect(new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size).toBe(1);
    // Exponential backoff from 50 ms: at least 50 ms, then at least 100 ms, between the attempts (a loaded machine only
    // adds to the waits, so their lower bounds hold where comparing the two gaps did not: 195 then 180 ms once in CI).
    const gaps = [receiver.requests[1].at - receiver.requests[0].at, receiver.requests[2].at - receiver.requests[1].at];
    expect(gaps[0]).toBeGreaterThanOrEqual(50);
    expect(gaps[1]).toBeGreaterThanOrEqual(100);
    await expect.poll(async () => (await deliveriesOf(id))[0]?.status).toBe("succeeded");
    expect((await deliveriesOf(id))[0]).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null });
  });

  it("gives up after the last attempt, follows no redirect, and sends only the events asked for", async () => {
    const redirecting = await endpoint([302], ["job.succeeded"]);
    const failuresOnly = await endpoint([204], ["job.failed"]);
    await trainedJob();
    await redirecting.receiver.received(MAX_ATTEMPTS);
    await expect.poll(async () => (await deliveriesOf(redirecting.id))[0]?.status).toBe("failed");
    expect((await deliveriesOf(redirecting.id))[0]).toMatchObject({ attempts: MAX_ATTEMPTS, lastStatusCode: 302, lastError: expect.stringContaining("redirects are not followed") });
    expect(redirecting.receiver.requests.every((r) => r.headers.host !== "127.0.0.1:1")).toBe(true);
    expect(await deliveriesOf(failuresOnly.id)).toEqual([]);
    expect(failuresOnly.receiver.requests).toEqual([]);
  });

  it("announces a queued job cancelled through the API", async () => {
    const { receiver } = await endpoint([204], ["job.cancelled"]);
    const queued = (await ctx.app.inject({ method: "POST", url: "/v1/jobs", payload: job() })).json();
    expect((await ctx.app.inject({ method: "POST", url: `/v1/jobs/${queued.id}/cancel` })).statusCode).toBe(202);
    await receiver.received(1);
    expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ type: "job.cancelled", data: { jobId: queued.id, status: "cancelled" } });
  });

  it("refuses URLs that are not http(s) or reach loopback, private or link-local addresses", async () => {
    const refused = ["http://127.0.0.1/x", "http://localhost:3000/x", "http://[::1]/x", "http://169.254.169.254/latest/meta-data", "http://10.0.0.7/x", "http://192.168.1.1/x", "http://[::ffff:127.0.0.1]/x", "http://[fd00::1]/x", "ftp://example.com/x", "https://user:pw@example.com/x", "not a url"];
    for (const url of refused) await expect(checkWebhookUrl(url, { allowPrivate: false }), url).rejects.toThrow();
    await expect(checkWebhookUrl("https://93.184.215.14/hook", { allowPrivate: false })).resolves.toBeInstanceOf(URL);

    const strict = createWebhookService({ db: ctx.db, allowPrivate: false });
    await expect(strict.create("prj_default", { url: "http://127.0.0.1:9/hook", events: ["job.failed"] })).rejects.toMatchObject({ errors: [{ path: "/url" }] });
    const bad = await ctx.app.inject({ method: "POST", url: "/v1/webhooks", payload: { url: "file:///etc/passwd", events: ["job.failed"] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe("/url");
    const badEvent = await ctx.app.inject({ method: "POST", url: "/v1/webhooks", payload: { url: "https://example.com/x", events: ["job.started"] } });
    expect(badEvent.statusCode).toBe(400);
  });
});
