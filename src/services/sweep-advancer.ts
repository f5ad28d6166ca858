// In every worker process: takes the sweeps flagged since one of their trials
// ended and advances them (starts the next trials, or completes the sweep).

import type { Logger } from "pino";
import type { SweepService } from "./sweeps.js";

export function startSweepAdvancer({ sweeps, intervalMs, log }: { sweeps: Pick<SweepService, "claimFlagged" | "advance" | "flag">; intervalMs: number; log: Logger }): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  async function tick(): Promise<void> {
    try {
      for (const id of await sweeps.claimFlagged(10)) {
        await sweeps.advance(id).catch(async (error) => {
          log.error({ err: error, sweepId: id }, "could not advance a sweep; trying again");
          await sweeps.flag(id).catch(() => undefined);
        });
      }
    } catch (error) {
      log.warn({ err: error }, "could not look for sweeps to advance");
    } finally {
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    }
  }
  void tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
