// Early termination by asynchronous successive halving (Li et al. 2020). Rungs
// are at minEpochs, minEpochs x eta, minEpochs x eta^2, ... epochs. Two forms:
// - promotion (the paper's): a trial that reaches a rung waits there (paused,
//   its checkpoint kept); it is promoted, and resumes from that checkpoint,
//   once it is among the best 1/eta of the trials that have reached the rung;
//   trials still waiting when no other can come are pruned;
// - stopping (Optuna's SuccessiveHalvingPruner, Ray Tune's ASHA scheduler):
//   a trial that is not among the best 1/eta of those that reached the rung
//   before it stops, as pruned; the others keep training.
// No epoch is trained twice in either form.

/** The epochs at which trials are compared, below `epochs` (the last epoch is no rung: the trial is done). */
export function rungs(minEpochs: number, reductionFactor: number, epochs: number): number[] {
  const out: number[] = [];
  for (let r = minEpochs; r < epochs; r *= reductionFactor) out.push(r);
  return out;
}

/**
 * Whether a trial with `value` at a rung goes on, given the values of the
 * other trials that reached the rung (lower is better). Until `reductionFactor`
 * trials have reached it, every one goes on.
 */
export function goesOn(value: number, others: number[], reductionFactor: number): boolean {
  const all = [...others, value].sort((a, b) => a - b);
  const kept = Math.floor(all.length / reductionFactor);
  if (kept === 0) return true;
  return value <= all[kept - 1];
}

/**
 * The promotion form at one rung: the waiting trials among the best
 * floor(n / eta) of the n trials that reached it (lower is better; ties go to
 * the earlier trial), in that order.
 */
export function promotions(reached: { trial: number; value: number }[], waiting: ReadonlySet<number>, reductionFactor: number): number[] {
  const ranked = [...reached].sort((a, b) => a.value - b.value || a.trial - b.trial);
  return ranked
    .slice(0, Math.floor(ranked.length / reductionFactor))
    .filter((t) => waiting.has(t.trial))
    .map((t) => t.trial);
}
