import { describe, expect, it } from "vitest";
import { connectionRefused, freePort, waitFor } from "./processes.js";

const refused = () => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });

describe("waitFor", () => {
  it("polls until the probe returns a value, and returns it", async () => {
    let calls = 0;
    const value = await waitFor(async () => (++calls === 3 ? "ready" : undefined), { intervalMs: 1 });
    expect(value).toBe("ready");
    expect(calls).toBe(3);
  });

  it("fails at once, with its error, when the probe throws one the caller did not expect", async () => {
    let calls = 0;
    const failure = await waitFor(
      async () => {
        calls++;
        throw new Error("job failed: NON_FINITE_LOSS");
      },
      { timeoutMs: 2_000, intervalMs: 10, what: "the job" },
    ).catch((error: Error) => error);
    expect(calls).toBe(1); // the old waitFor swallowed the error and polled until the timeout
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe("waiting for the job, the probe failed: Error: job failed: NON_FINITE_LOSS");
    expect((failure as Error).cause).toBeInstanceOf(Error);
  });

  it("retries the errors the caller expects while waiting, then returns", async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        if (++calls < 3) throw refused();
        return true;
      },
      { intervalMs: 1, expectedError: connectionRefused },
    );
    expect(value).toBe(true);
    expect(calls).toBe(3);
  });

  it("times out naming what it waited for and the last expected error", async () => {
    await expect(waitFor(async () => Promise.reject(refused()), { timeoutMs: 50, intervalMs: 5, what: "the API", expectedError: connectionRefused })).rejects.toThrow(
      /^timed out after 50 ms waiting for the API: TypeError: fetch failed \(connect ECONNREFUSED 127\.0\.0\.1:9\)$/,
    );
    await expect(waitFor(async () => undefined, { timeoutMs: 20, intervalMs: 5, what: "nothing" })).rejects.toThrow(/^timed out after 20 ms waiting for nothing$/);
  });
});

describe("connectionRefused", () => {
  it("recognises fetch's error for a port nobody listens on, and nothing else", async () => {
    const port = await freePort();
    const error = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(connectionRefused(error)).toBe(true);
    expect(connectionRefused(new Error("fetch failed"))).toBe(false);
    expect(connectionRefused(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe(false);
    expect(connectionRefused("ECONNREFUSED")).toBe(false);
  });
});
