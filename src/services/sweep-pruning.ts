// Successive halving for a sweep's trial, from inside its training run
// (src/sweeps/asha.ts has both forms). At a rung epoch, in the promotion form
// the trial waits (its run pauses there, and the sweep promotes or prunes it);
// in the stopping form its metric is compared with the other trials' at the
// same epoch, and a trial that does not go on is marked pruned and stops.

import type { Database, Prisma } from "../db/client.js";
import type { CreateSweepView } from "../spec/sweep.js";
import { goesOn, rungs } from "../sweeps/asha.js";

/** What a trial does after an epoch: train on, stop as pruned, or wait at its rung for the sweep's decision. */
export type RungDecision = "continue" | "prune" | "wait";

export interface TrialPruner {
  /** After an epoch's row is written: what the trial does next ("prune" has marked it pruned). */
  afterEpoch(epoch: number, metrics: Record<string, unknown>): Promise<RungDecision>;
  /** The promotion form's wait, written in the transaction that pauses the run: the trial waits at `epoch`, and its sweep is to advance. */
  wait(tx: Prisma.TransactionClient, epoch: number): Promise<void>;
}

/** The pruner of a trial job, or null when the job is no trial of a sweep with early termination. */
export async function trialPruner(db: Database, jobId: string, sweepId: string | null, epochs: number): Promise<TrialPruner | null> {
  if (!sweepId) return null;
  const sweep = await db.sweep.findUnique({ where: { id: sweepId }, select: { spec: true } });
  const request = sweep?.spec as unknown as CreateSweepView | undefined;
  if (!request?.earlyTermination) return null;
  const { minEpochs, reductionFactor, mode = "promote" } = request.earlyTermination;
  const atRungs = new Set(rungs(minEpochs, reductionFactor, epochs));
  const metric = request.metric;
  const sign = request.goal === "minimize" ? 1 : -1;
  return {
    async afterEpoch(epoch, metrics) {
      const value = metrics[metric];
      if (!atRungs.has(epoch) || typeof value !== "number") return "continue";
      if (mode === "promote") return "wait";
      const others = await db.epochMetric.findMany({ where: { epoch, jobId: { not: jobId }, job: { sweepId } }, select: { [metric]: true } });
      const values = others.map((row) => (row as Record<string, number | null>)[metric]).filter((v): v is number => typeof v === "number");
      if (goesOn(sign * value, values.map((v) => sign * v), reductionFactor)) return "continue";
      await db.sweepTrial.updateMany({ where: { jobId }, data: { pruned: true } });
      return "prune";
    },
    async wait(tx, epoch) {
      await tx.sweepTrial.updateMany({ where: { jobId }, data: { waitingAtEpoch: epoch } });
      await tx.sweep.updateMany({ where: { id: sweepId, status: "running" }, data: { needsAdvance: true } });
    },
  };
}
