// A loop that looks for work in Postgres every so often (sweeps to advance,
// webhook deliveries to enqueue). While it finds none it looks less and less
// often, up to `maxIntervalMs`, so that an idle worker costs Postgres about
// one query a second instead of ten; `nudge()` looks at once, for the moments
// the process knows work just appeared (one of its jobs ended).

export interface Poller {
  /** Looks now (after the look under way, if any), and at the base interval again. */
  nudge(): void;
  stop(): void;
}

export interface PollerOptions {
  /** One look; resolves true when it found work (the next look comes at the base interval). */
  poll: () => Promise<boolean>;
  intervalMs: number;
  /** The longest wait while nothing is found. @defaultValue 8 x intervalMs */
  maxIntervalMs?: number;
  /** A look that threw: logged by the caller; the loop goes on at the base interval. */
  onError: (error: unknown) => void;
}

export function startPoller({ poll, intervalMs, maxIntervalMs = 8 * intervalMs, onError }: PollerOptions): Poller {
  let stopped = false;
  let running = false;
  let again = false;
  let wait = intervalMs;
  let timer: NodeJS.Timeout | undefined;

  async function look(): Promise<void> {
    clearTimeout(timer);
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      wait = (await poll()) ? intervalMs : Math.min(maxIntervalMs, wait * 2);
    } catch (error) {
      onError(error);
      wait = intervalMs;
    } finally {
      running = false;
    }
    if (stopped) return;
    if (again) {
      again = false;
      wait = intervalMs;
      void look();
    } else timer = setTimeout(() => void look(), wait);
  }
  void look();

  return {
    nudge() {
      if (stopped) return;
      wait = intervalMs;
      void look();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
