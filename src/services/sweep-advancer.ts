// In every worker process: takes the sweeps flagged since one of their trials
// ended and advances them (starts the next trials, or completes the sweep).
// The worker nudges it when one of its jobs ends; otherwise it polls (poller.ts).

import type { Logger } from "pino";
import { startPoller, type Poller } from "../poller.js";
import type { SweepService } from "./sweeps.js";

export function startSweepAdvancer({ sweeps, intervalMs, log }: { sweeps: Pick<SweepService, "claimFlagged" | "advance" | "flag">; intervalMs: number; log: Logger }): Poller {
  return startPoller({
    intervalMs,
    async poll() {
      const ids = await sweeps.claimFlagged(10);
      for (const id of ids) {
        await sweeps.advance(id).catch(async (error) => {
          log.error({ err: error, sweepId: id }, "could not advance a sweep; trying again");
          await sweeps.flag(id).catch(() => undefined);
        });
      }
      return ids.length > 0;
    },
    onError: (error) => log.warn({ err: error }, "could not look for sweeps to advance"),
  });
}
