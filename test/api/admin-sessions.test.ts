import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestContext, testAdminKey, type TestContext } from "../helpers/context.js";

// The queue view's login (/admin/login): a session cookie that logout really
// ends, and a form that cannot be used to guess the admin key quickly.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ auth: "on" });
});
afterAll(async () => ctx?.close());

const form = (key: string, remoteAddress = "127.0.0.1") =>
  ctx.app.inject({ method: "POST", url: "/admin/login", remoteAddress, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: `key=${encodeURIComponent(key)}` });

function sessionCookie(response: { cookies: { name: string; value: string }[] }): string {
  const cookie = response.cookies.find((c) => c.name === "descent_admin");
  if (!cookie) throw new Error("no session cookie");
  return `descent_admin=${cookie.value}`;
}

describe("admin sessions", () => {
  it("opens a session at login that logout ends for good, even for a copied cookie", async () => {
    const login = await form(testAdminKey);
    expect(login.statusCode).toBe(303);
    const cookie = sessionCookie(login);
    expect(cookie).not.toContain(testAdminKey);
    const api = () => ctx.app.inject({ url: "/admin/queues/api/queues", headers: { cookie } });
    expect((await api()).statusCode).toBe(200);

    const copied = cookie; // e.g. stolen before logout
    const logout = await ctx.app.inject({ url: "/admin/logout", headers: { cookie } });
    expect(logout.statusCode).toBe(303);
    expect((await ctx.app.inject({ url: "/admin/queues/api/queues", headers: { cookie: copied } })).statusCode).toBe(401);
  });

  it("refuses a forged or malformed cookie", async () => {
    for (const value of ["x", "1999999999.AAAA", "A".repeat(43)]) {
      expect((await ctx.app.inject({ url: "/admin/queues/api/queues", headers: { cookie: `descent_admin=${value}` } })).statusCode, value).toBe(401);
    }
  });

  it("throttles login attempts per address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await form(`wrong-key-${i}-0123456789`, "10.7.7.7")).statusCode);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const limited = await form(testAdminKey, "10.7.7.7");
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await form(testAdminKey, "10.7.7.8")).statusCode).toBe(303);
  });
});
