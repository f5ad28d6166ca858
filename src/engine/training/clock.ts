/** Milliseconds from a monotonic clock where there is one. */
export function now(): number {
  const performance = (globalThis as { performance?: { now(): number } }).performance;
  return performance ? performance.now() : Date.now();
}

type Schedule = (callback: () => void) => unknown;
const scope = globalThis as { setImmediate?: Schedule; setTimeout?: (callback: () => void, ms: number) => unknown };

/**
 * Lets the event loop run its pending work (I/O, timers, lock renewals) before
 * training goes on. setImmediate where it exists: setTimeout(0) costs about 1 ms.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (scope.setImmediate) scope.setImmediate(resolve);
    else if (scope.setTimeout) scope.setTimeout(resolve, 0);
    else resolve();
  });
}
