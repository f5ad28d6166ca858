import type { EarlyStoppingConfig, EpochMetrics, MonitoredMetric } from "../types.js";

/**
 * The metric early stopping watches and which way is better: the config's
 * monitor, else valLoss with validation data and loss without; mode auto
 * maximizes accuracies and minimizes losses.
 */
export function monitorOf(config: EarlyStoppingConfig | undefined, hasValidation: boolean): { monitor: MonitoredMetric; maximize: boolean } {
  const monitor = config?.monitor ?? (hasValidation ? "valLoss" : "loss");
  const mode = config?.mode ?? "auto";
  return { monitor, maximize: mode === "max" || (mode === "auto" && (monitor === "accuracy" || monitor === "valAccuracy")) };
}

/**
 * Early stopping as Keras does it: stop after `patience` epochs in which the
 * monitored metric did not improve on the best by more than `minDelta`.
 * The caller keeps a copy of the best epoch's weights when asked to restore them.
 */
export class EarlyStopping {
  readonly monitor: MonitoredMetric;
  readonly maximize: boolean;
  bestValue: number;
  bestEpoch = 0;
  /** Epochs since the best one. */
  wait = 0;

  constructor(
    private config: EarlyStoppingConfig,
    hasValidation: boolean,
  ) {
    ({ monitor: this.monitor, maximize: this.maximize } = monitorOf(config, hasValidation));
    this.bestValue = this.maximize ? -Infinity : Infinity;
  }

  /** Records an epoch; returns whether it is the new best. */
  update(metrics: EpochMetrics): boolean {
    const value = metrics[this.monitor];
    if (value === undefined) throw new Error(`earlyStopping: monitored metric ${this.monitor} is not computed (no validation data or no accuracy)`);
    const minDelta = Math.abs(this.config.minDelta ?? 0);
    const improved = this.maximize ? value > this.bestValue + minDelta : value < this.bestValue - minDelta;
    if (improved) {
      this.bestValue = value;
      this.bestEpoch = metrics.epoch;
      this.wait = 0;
    } else {
      this.wait++;
    }
    return improved;
  }

  /** A live change of the patience, counted against the epochs already waited. */
  setPatience(patience: number): void {
    this.config = { ...this.config, patience };
  }

  get shouldStop(): boolean {
    return this.wait > 0 && this.wait >= (this.config.patience ?? 0);
  }
}
