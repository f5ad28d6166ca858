// Early termination by asynchronous successive halving (Li et al. 2020), in
// its stopping form, as Optuna's SuccessiveHalvingPruner and Ray Tune's ASHA
// scheduler run it: every trial starts with the whole budget; at each rung
// (minEpochs, minEpochs x eta, minEpochs x eta^2, ... epochs) a trial that is
// not among the best 1/eta of the trials that have reached that rung stops,
// as pruned. No epoch is trained twice: a trial that goes on keeps training.

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
