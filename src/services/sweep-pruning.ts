// Successive halving for a sweep's trial, from inside its training run: at a
// rung epoch, the trial's metric is compared with the other trials' at the
// same epoch (src/sweeps/asha.ts); a trial that does not go on is marked
// pruned and its run stops at once.

import type { Database } from "../db/client.js";
import type { CreateSweepView } from "../spec/sweep.js";
import { goesOn, rungs } from "../sweeps/asha.js";

export interface TrialPruner {
  /** After an epoch's row is written: whether the trial stops here (it is then marked pruned). */
  stopsAt(epoch: number, metrics: Record<string, unknown>): Promise<boolean>;
}

/** The pruner of a trial job, or null when the job is no trial of a sweep with early termination. */
export async function trialPruner(db: Database, jobId: string, sweepId: string | null, epochs: number): Promise<TrialPruner | null> {
  if (!sweepId) return null;
  const sweep = await db.sweep.findUnique({ where: { id: sweepId }, select: { spec: true } });
  const request = sweep?.spec as unknown as CreateSweepView | undefined;
  if (!request?.earlyTermination) return null;
  const { minEpochs, reductionFactor } = request.earlyTermination;
  const atRungs = new Set(rungs(minEpochs, reductionFactor, epochs));
  const metric = request.metric;
  const sign = request.goal === "minimize" ? 1 : -1;
  return {
    async stopsAt(epoch, metrics) {
      const value = metrics[metric];
      if (!atRungs.has(epoch) || typeof value !== "number") return false;
      const others = await db.epochMetric.findMany({ where: { epoch, jobId: { not: jobId }, job: { sweepId } }, select: { [metric]: true } });
      const values = others.map((row) => (row as Record<string, number | null>)[metric]).filter((v): v is number => typeof v === "number");
      if (goesOn(sign * value, values.map((v) => sign * v), reductionFactor)) return false;
      await db.sweepTrial.updateMany({ where: { jobId }, data: { pruned: true } });
      return true;
    },
  };
}
