import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startPoller } from "../../src/poller.js";

// The workers' pollers (sweeps to advance, webhook deliveries to enqueue) back off while idle and look at once when nudged.

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** A poller whose looks are timed by the fake clock; `found` says what each look answers. */
function recorded(found: () => boolean) {
  const at: number[] = [];
  const poller = startPoller({
    intervalMs: 100,
    maxIntervalMs: 800,
    poll: async () => {
      at.push(Date.now());
      return found();
    },
    onError: () => undefined,
  });
  return { at, poller, start: Date.now() };
}

describe("startPoller", () => {
  it("looks at once, then less and less often while it finds nothing, up to the longest wait", async () => {
    const { at, poller, start } = recorded(() => false);
    await vi.advanceTimersByTimeAsync(5_000);
    poller.stop();
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    expect(at[0]).toBe(start);
    expect(gaps.slice(0, 5)).toEqual([200, 400, 800, 800, 800]);
  });

  it("keeps the base interval while it finds work, and goes back to it once work appears", async () => {
    let busy = true;
    const { at, poller } = recorded(() => busy);
    await vi.advanceTimersByTimeAsync(350);
    expect(at.length).toBe(4); // 0, 100, 200, 300
    busy = false;
    await vi.advanceTimersByTimeAsync(2_000);
    const idleLooks = at.length;
    busy = true;
    poller.nudge();
    await vi.advanceTimersByTimeAsync(0);
    expect(at.length).toBe(idleLooks + 1); // the nudge looked at once
    await vi.advanceTimersByTimeAsync(100);
    expect(at.length).toBe(idleLooks + 2); // and found work: the base interval again
    poller.stop();
  });

  it("runs one look at a time: a nudge during a look makes one more look right after it", async () => {
    let release: () => void = () => undefined;
    let looks = 0;
    const poller = startPoller({
      intervalMs: 100,
      poll: () => {
        looks++;
        return new Promise<boolean>((resolve) => (release = () => resolve(false)));
      },
      onError: () => undefined,
    });
    expect(looks).toBe(1);
    poller.nudge();
    poller.nudge();
    expect(looks).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(looks).toBe(2);
    poller.stop();
    release();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(looks).toBe(2);
  });
});
