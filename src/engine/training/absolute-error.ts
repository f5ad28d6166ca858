/**
 * Sums |output - target| batch by batch for regression (no allocation per
 * batch): the epoch's mean absolute error, reported beside its loss.
 */
export class AbsoluteErrorCounter {
  private sum = 0;
  private count = 0;

  /** `active`: a regression (targets, not classes) whose outputs are the predictions themselves (no fused activation). */
  constructor(private readonly active: boolean) {}

  add(output: Float32Array, target: Float32Array, values: number): void {
    if (!this.active) return;
    let sum = 0;
    for (let i = 0; i < values; i++) sum += Math.abs(output[i] - target[i]);
    this.sum += sum;
    this.count += values;
  }

  /** Undefined when inactive. */
  get value(): number | undefined {
    if (!this.active) return undefined;
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** The sums, for a checkpoint taken mid-epoch. */
  get state(): { sum: number; count: number } {
    return { sum: this.sum, count: this.count };
  }

  set state(sums: { sum: number; count: number }) {
    this.sum = sums.sum;
    this.count = sums.count;
  }
}
