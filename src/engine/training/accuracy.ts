import type { AccuracyKind } from "./targets.js";
import { argmax } from "./targets.js";

/**
 * Counts correct predictions batch by batch (no allocation per batch).
 * With `logits` a fused sigmoid was left out of the output, so the threshold
 * is 0 instead of 0.5; argmax is the same for logits and probabilities.
 */
export class AccuracyCounter {
  private correct = 0;
  private total = 0;

  constructor(
    private readonly kind: AccuracyKind,
    private readonly cols: number,
    private readonly logits: boolean,
  ) {}

  add(output: Float32Array, rows: number, labels: Int32Array, targets: Float32Array): void {
    const cols = this.cols;
    if (this.kind === null) return;
    if (this.kind === "categorical" && cols > 1) {
      for (let r = 0; r < rows; r++) if (argmax(output, r * cols, cols) === labels[r]) this.correct++;
      this.total += rows;
      return;
    }
    const threshold = this.logits ? 0 : 0.5;
    for (let i = 0; i < rows * cols; i++) if (output[i] > threshold === targets[i] >= 0.5) this.correct++;
    this.total += rows * cols;
  }

  get value(): number {
    return this.total === 0 ? 0 : this.correct / this.total;
  }

  /** The counts, for a checkpoint taken mid-epoch. */
  get state(): { correct: number; total: number } {
    return { correct: this.correct, total: this.total };
  }

  set state(counts: { correct: number; total: number }) {
    this.correct = counts.correct;
    this.total = counts.total;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}
