import type { LearningRateSchedule } from "../types.js";

/**
 * The learning rate, epoch by epoch. step / exponential / cosine are functions
 * of the epoch; reduceOnPlateau divides the rate when a metric stops
 * improving, so it keeps state (saved in checkpoints). Warm-up ramps the rate
 * up linearly over the first `warmupEpochs`, batch by batch.
 */
export interface ScheduleState {
  /** reduceOnPlateau: current rate, best value seen, epochs without improvement, cooldown left. */
  plateauRate: number;
  plateauBest: number;
  plateauWait: number;
  plateauCooldown: number;
}

export class LearningRateScheduler {
  state: ScheduleState;

  constructor(
    private baseRate: number,
    private readonly schedule: LearningRateSchedule,
    private totalEpochs: number,
    private readonly batchesPerEpoch: number,
  ) {
    this.state = { plateauRate: baseRate, plateauBest: Infinity, plateauWait: 0, plateauCooldown: 0 };
  }

  /** The base rate in effect: the config's, or a live change's. */
  get baseLearningRate(): number {
    return this.baseRate;
  }

  /** A live change of the base rate: the schedule continues from it; reduceOnPlateau's current rate becomes it. */
  setBaseRate(rate: number): void {
    this.baseRate = rate;
    this.state.plateauRate = rate;
  }

  /** A live change of the number of epochs (cosine's span). */
  setTotalEpochs(epochs: number): void {
    this.totalEpochs = epochs;
  }

  /** Rate for a batch of an epoch (both from 1). */
  rateAt(epoch: number, batch: number): number {
    return this.epochRate(epoch) * this.warmupFactor(epoch, batch);
  }

  private epochRate(epoch: number): number {
    const s = this.schedule;
    const e = epoch - 1; // epochs completed before this one
    switch (s.type) {
      case "constant":
        return this.baseRate;
      case "step":
        return this.baseRate * s.gamma ** Math.floor(e / s.stepSize);
      case "exponential":
        return this.baseRate * s.gamma ** e;
      case "cosine": {
        const min = s.minLearningRate ?? 0;
        const warmup = s.warmupEpochs ?? 0;
        const span = Math.max(1, this.totalEpochs - warmup);
        const progress = Math.min(1, Math.max(0, e - warmup) / span);
        return min + (this.baseRate - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
      }
      case "reduceOnPlateau":
        return this.state.plateauRate;
    }
  }

  private warmupFactor(epoch: number, batch: number): number {
    const warmupSteps = (this.schedule.warmupEpochs ?? 0) * this.batchesPerEpoch;
    const step = (epoch - 1) * this.batchesPerEpoch + batch;
    return warmupSteps > 0 && step < warmupSteps ? step / warmupSteps : 1;
  }

  /** Called with each epoch's metrics; only reduceOnPlateau listens. */
  endEpoch(metrics: Partial<Record<"loss" | "valLoss" | "accuracy" | "valAccuracy", number>>): void {
    const s = this.schedule;
    if (s.type !== "reduceOnPlateau") return;
    const monitor = s.monitor ?? ("valLoss" in metrics && metrics.valLoss !== undefined ? "valLoss" : "loss");
    const raw = metrics[monitor];
    if (raw === undefined) return;
    const maximize = monitor === "accuracy" || monitor === "valAccuracy";
    const value = maximize ? -raw : raw; // compare as a loss: lower is better
    const st = this.state;
    if (st.plateauCooldown > 0) st.plateauCooldown--;
    if (value < st.plateauBest - (s.minDelta ?? 0)) {
      st.plateauBest = value;
      st.plateauWait = 0;
    } else if (st.plateauCooldown === 0 && ++st.plateauWait >= (s.patience ?? 10)) {
      st.plateauRate = Math.max(s.minLearningRate ?? 0, st.plateauRate * (s.factor ?? 0.1));
      st.plateauWait = 0;
      st.plateauCooldown = s.cooldown ?? 0;
    }
  }
}
