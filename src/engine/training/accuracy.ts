import type { AccuracyKind } from "./targets.js";
import { argmax } from "./targets.js";

/**
 * Counts correct predictions in one batch. `output` holds rows x cols model
 * outputs; with `logits` a fused sigmoid was left out, so the threshold is 0
 * instead of 0.5 (argmax is the same for logits and probabilities).
 */
export function countCorrect(kind: AccuracyKind, output: Float32Array, rows: number, cols: number, labels: Int32Array | null, targets: Float32Array, logits: boolean): { correct: number; total: number } {
  if (kind === "categorical" && cols > 1) {
    let correct = 0;
    for (let r = 0; r < rows; r++) if (argmax(output, r * cols, cols) === labels![r]) correct++;
    return { correct, total: rows };
  }
  if (kind === "binary" || kind === "categorical") {
    const threshold = logits ? 0 : 0.5;
    let correct = 0;
    for (let i = 0; i < rows * cols; i++) if (output[i] > threshold === targets[i] >= 0.5) correct++;
    return { correct, total: rows * cols };
  }
  return { correct: 0, total: 0 };
}
