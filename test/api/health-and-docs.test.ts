import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, type TestContext } from "../helpers/context.js";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx?.close();
});

describe("health", () => {
  it("is live, and ready when Postgres and Redis answer", async () => {
    expect((await ctx.app.inject({ url: "/health/live" })).json()).toEqual({ status: "ok" });
    const ready = await ctx.app.inject({ url: "/health/ready" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ok", checks: { postgres: "ok", redis: "ok" } });
  });
});

describe("OpenAPI", () => {
  it("serves an OpenAPI 3.1 document that lists every route of the contract", async () => {
    const res = await ctx.app.inject({ url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        "POST /v1/datasets",
        "GET /v1/datasets",
        "GET /v1/datasets/{id}",
        "POST /v1/jobs",
        "GET /v1/jobs",
        "GET /v1/jobs/{id}",
        "GET /v1/jobs/{id}/metrics",
        "GET /v1/models/{id}",
        "GET /v1/models/{id}/weights",
        "POST /v1/models/{id}/predict",
        "GET /health/live",
        "GET /health/ready",
      ]),
    );
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { summary?: string }>>)) {
      for (const [method, op] of Object.entries(ops)) expect(op.summary, `${method} ${path}`).toBeTruthy();
    }
    const problem = doc.paths["/v1/jobs"].post.responses["400"].content["application/problem+json"];
    expect(problem.schema).toEqual({ $ref: "#/components/schemas/Problem" });
    expect(doc.components.schemas.Problem.properties).toHaveProperty("errors");
  });

  it("serves Swagger UI at /docs", async () => {
    const res = await ctx.app.inject({ url: "/docs/" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("swagger");
  });

  it("answers unknown routes with problem+json and a request id", async () => {
    const res = await ctx.app.inject({ url: "/v2/nothing" });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toMatch(/problem\+json/);
    expect(res.headers["x-request-id"]).toBeTruthy();
  });
});
