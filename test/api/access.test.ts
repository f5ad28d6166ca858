import { request as httpRequest } from "node:http";
import Fastify from "fastify";
import rateLimit from "@fastify/rate-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installAuth } from "../../src/api/plugins/auth.js";
import { createAuthFailureLimiter, AUTH_FAILURES_PER_MINUTE } from "../../src/api/plugins/auth-failures.js";
import { createProjectService } from "../../src/services/projects.js";
import { createRedisConnection, untilReady } from "../../src/queue/connection.js";
import { createTestContext, redisUrl, testAdminKey, type TestContext } from "../helpers/context.js";

// Access control follows the route that matched, never the raw URL, and a
// route is public only if it says so. Checked over real HTTP: an inject()ed
// URL is not what a router sees from a socket (`curl --path-as-is`).

let ctx: TestContext;
let base: { host: string; port: number };
let key: string;

beforeAll(async () => {
  ctx = await createTestContext({ auth: "on", configEnv: { RATE_LIMIT_PER_SECOND: "5" } });
  await ctx.app.listen({ port: 0, host: "127.0.0.1" });
  base = { host: "127.0.0.1", port: (ctx.app.server.address() as { port: number }).port };
  const created = await ctx.app.inject({ method: "POST", url: "/v1/projects", headers: { authorization: `Bearer ${testAdminKey}` }, payload: { name: "access" } });
  key = created.json().apiKey;
});
afterAll(async () => ctx?.close());

/** One request with the path sent exactly as given (no URL normalisation on our side). */
function raw(method: string, path: string, { headers = {}, body }: { headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = httpRequest({ ...base, method, path, headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Percent-encodes the characters of a path's static segments (never `{id}`), `which` chooses them. */
function encode(path: string, which: (char: string, index: number) => boolean, lower = false): string {
  return path.replace(/[A-Za-z0-9]/g, (char, index) => {
    if (!which(char, index)) return char;
    const hex = char.charCodeAt(0).toString(16).toUpperCase();
    return `%${lower ? hex.toLowerCase() : hex}`;
  });
}

/** Spellings a router decodes into the same route: each must meet the same auth as the plain path. */
function sameRouteSpellings(path: string): string[] {
  return [
    path,
    path.replace("/v1/", "/%761/"),
    path.replace("/v1/", "/v%31/"),
    encode(path, () => true),
    encode(path, (_char, index) => index % 2 === 0, true),
    `${path}?x=1`,
  ];
}

/** Spellings that are other paths: they may match nothing (404), but never reach data. */
function otherSpellings(path: string): string[] {
  return [
    path.toUpperCase(),
    `/${path}`,
    `${path}/`,
    path.replace("/v1/", "/v1//"),
    path.replace("/v1/", "/v1/./"),
    path.replace("/v1/", "/x/../v1/"),
    `${path};x=1`,
    path.replace("/v1/", "/v1%2F"),
    path.replace("/v1/", "/v1%2f"),
    `${path}%00`,
    `${path}%20`,
  ];
}

describe("every route but the public ones needs a key, however its path is spelled", () => {
  it("answers 401 on every operation of /openapi.json, in every spelling the router maps to it, over real HTTP", async () => {
    const paths = (await ctx.app.inject({ url: "/openapi.json" })).json().paths as Record<string, Record<string, { security?: unknown[] }>>;
    const protectedOps = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((method) => !["/health/live", "/health/ready"].includes(path))
        .map((method) => ({ method: method.toUpperCase(), path: path.replaceAll("{id}", "xx_12345") })),
    );
    expect(protectedOps.length).toBeGreaterThanOrEqual(20);
    for (const op of protectedOps) {
      const methods = op.method === "GET" ? ["GET", "HEAD"] : [op.method];
      for (const method of methods) {
        for (const path of sameRouteSpellings(op.path)) {
          const res = await raw(method, path, { body: method === "POST" ? '{"name":"x"}' : undefined });
          expect(res.status, `${method} ${path}`).toBe(401);
        }
        for (const path of otherSpellings(op.path)) {
          const res = await raw(method, path, { body: method === "POST" ? '{"name":"x"}' : undefined });
          expect([400, 401, 404], `${method} ${path} answered ${res.status}`).toContain(res.status);
        }
      }
    }
  });

  it("does not let a percent-encoded path create a project without the admin key", async () => {
    for (const path of ["/%761/projects", "/v%31/projects", "/%76%31/%70rojects"]) {
      const res = await raw("POST", path, { body: '{"name":"x"}' });
      expect(res.status, path).toBe(401);
      expect(res.body).not.toContain("dsk_");
      const withProjectKey = await raw("POST", path, { body: '{"name":"x"}', headers: { authorization: `Bearer ${key}` } });
      expect(withProjectKey.status, path).toBe(403);
    }
    expect(await ctx.db.project.count({ where: { name: "x" } })).toBe(0);
  });

  it("keeps the public routes public", async () => {
    for (const path of ["/health/live", "/health/ready", "/openapi.json", "/docs/", "/docs/json", "/admin/login"]) {
      expect((await raw("GET", path)).status, path).toBe(200);
    }
  });

  it("protects a route that declares no access (deny by default)", async () => {
    const redis = createRedisConnection(redisUrl, "producer");
    await untilReady(redis);
    const app = Fastify();
    await app.register(rateLimit, { global: false, redis, nameSpace: `${ctx.queuePrefix}:deny-default:` });
    installAuth(app, { mode: "on", adminKey: testAdminKey, projects: createProjectService({ db: ctx.db }), failures: createAuthFailureLimiter(app) });
    app.get("/anything/new", async () => ({ secret: 42 }));
    app.get("/open", { config: { access: "public" } }, async () => ({ open: true }));
    try {
      expect((await app.inject({ url: "/anything/new" })).statusCode).toBe(401);
      expect((await app.inject({ url: "/anything/new", headers: { authorization: `Bearer ${key}` } })).json()).toEqual({ secret: 42 });
      expect((await app.inject({ url: "/open" })).statusCode).toBe(200);
    } finally {
      await app.close();
      redis.disconnect();
    }
  });
});

describe("rate limits", () => {
  it("counts one key once, however the Authorization header spells it", async () => {
    const spellings = [`Bearer ${key}`, `bearer ${key}`, `BEARER ${key}`, `Bearer  ${key}`, `Bearer\t${key}`, `Bearer ${key} `, `beArer ${key}\t`];
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      statuses.push((await raw("GET", "/v1/jobs", { headers: { authorization: spellings[i % spellings.length] } })).status);
    }
    // 5 per second: at most two windows' worth can pass, whatever the timing.
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(10);
    expect(statuses).toContain(429);
    const limited = await raw("GET", "/v1/jobs", { headers: { authorization: spellings[0] } });
    if (limited.status === 429) {
      expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(limited.headers["content-type"]).toMatch(/problem\+json/);
    }
  });

  it("stops looking up unknown keys from an address that keeps sending them, and leaves other addresses alone", async () => {
    const from = "10.1.2.3";
    const unknown = () => `dsk_${"x".repeat(28)}${Math.random().toString(36).slice(2, 6).padEnd(4, "y")}`;
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_FAILURES_PER_MINUTE + 5; i++) {
      const res = await ctx.app.inject({ url: "/v1/datasets", remoteAddress: from, headers: { authorization: `Bearer ${unknown()}` } });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, AUTH_FAILURES_PER_MINUTE).every((status) => status === 401)).toBe(true);
    const blocked = await ctx.app.inject({ url: "/v1/datasets", remoteAddress: from, headers: { authorization: `Bearer ${unknown()}` } });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(1);
    const other = await ctx.app.inject({ method: "POST", url: "/v1/projects", headers: { authorization: `Bearer ${testAdminKey}` }, payload: { name: "other" } });
    const elsewhere = await ctx.app.inject({ url: "/v1/datasets", remoteAddress: "10.9.9.9", headers: { authorization: `Bearer ${other.json().apiKey}` } });
    expect(elsewhere.statusCode).toBe(200);
  });
});
