// What the recurrent ops (lstm.ts, gru.ts) share: their steps run time-major
// (row t * batch + b), so that each step's rows are contiguous for its GEMM.

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** [batch, steps, width] -> [steps, batch, width]. */
export function toTimeMajor(x: Float32Array, timeMajor: Float32Array, batch: number, steps: number, width: number): void {
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) timeMajor.set(x.subarray((b * steps + t) * width, (b * steps + t + 1) * width), (t * batch + b) * width);
  }
}

/**
 * The hidden states h_1 .. h_T (time-major, after h_0) as the layer's output:
 * all of them batch-major [batch, steps, units], or the last one [batch, units].
 */
export function fromTimeMajor(hidden: Float32Array, out: Float32Array, batch: number, steps: number, units: number, returnSequences: boolean): void {
  if (!returnSequences) {
    out.set(hidden.subarray(steps * batch * units, (steps + 1) * batch * units));
    return;
  }
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) out.set(hidden.subarray(((t + 1) * batch + b) * units, ((t + 1) * batch + b + 1) * units), (b * steps + t) * units);
  }
}

/** grad[b, t, :] += timeMajor[t * batch + b, :]. */
export function addFromTimeMajor(timeMajor: Float32Array, grad: Float32Array, batch: number, steps: number, width: number): void {
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      const from = (t * batch + b) * width;
      const to = (b * steps + t) * width;
      for (let j = 0; j < width; j++) grad[to + j] += timeMajor[from + j];
    }
  }
}
