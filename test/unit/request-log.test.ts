import Fastify from "fastify";
import pino from "pino";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { OneLinePerRequest } from "../../src/api/plugins/request-log.js";

describe("the API's request log", () => {
  it("writes one line per request, at its end, with its method, URL, status and time; an error's line says so", async () => {
    const lines: Record<string, any>[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    const app = Fastify({ loggerInstance: pino(sink), logController: new OneLinePerRequest() });
    app.get("/fine", async () => ({ ok: true }));
    app.get("/broken", async () => {
      throw new Error("boom");
    });
    await app.inject({ url: "/fine?x=1" });
    const fine = lines.filter((line) => line.reqId === lines.at(-1)!.reqId);
    expect(fine).toHaveLength(1);
    expect(fine[0]).toMatchObject({ msg: "request completed", req: { method: "GET", url: "/fine?x=1" }, res: { statusCode: 200 } });
    expect(fine[0].responseTime).toBeGreaterThanOrEqual(0);

    await app.inject({ url: "/broken" });
    const broken = lines.filter((line) => line.req?.url === "/broken");
    expect(broken.at(-1)).toMatchObject({ res: { statusCode: 500 } });
    expect(lines.some((line) => line.msg === "incoming request")).toBe(false);
    await app.close();
  });
});
