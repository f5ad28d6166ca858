import { gemm } from "../kernels/gemm.js";
import { allocateFloats } from "../kernels/kernel-path.js";
import { makeNode, type Tensor } from "../tensor.js";

/**
 * Scaled dot-product attention of every head, one graph node:
 * q, k [batch, steps, heads * keyDim] and v [batch, steps, heads * valueDim]
 * (heads side by side, as the projections give them) ->
 * [batch, steps, heads * valueDim], where for each sample and head
 *
 *   P = softmax(Q K^T / sqrt(keyDim)),  out = P V
 *
 * With `causal`, step i attends to steps 0..i only. Each (sample, head) pair
 * is two GEMMs forward ([steps, keyDim] . [keyDim, steps], then
 * [steps, steps] . [steps, valueDim]) and four backward, on head-major copies
 * so that every GEMM reads contiguous rows. P stays for the backward pass.
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, heads: number, causal: boolean): Tensor {
  const [batch, steps, qWidth] = q.shape;
  const keyDim = qWidth / heads;
  const valueDim = v.shape[2] / heads;
  if (!Number.isInteger(keyDim) || k.shape[2] !== qWidth || !Number.isInteger(valueDim) || k.shape[1] !== steps || v.shape[1] !== steps) {
    throw new Error(`attention: q [${q.shape.join(", ")}], k [${k.shape.join(", ")}], v [${v.shape.join(", ")}] do not fit ${heads} heads`);
  }
  const pairs = batch * heads;
  const scale = 1 / Math.sqrt(keyDim);
  const qh = allocateFloats(pairs * steps * keyDim); // [batch, heads, steps, keyDim]
  const kh = allocateFloats(pairs * steps * keyDim);
  const vh = allocateFloats(pairs * steps * valueDim);
  const probabilities = allocateFloats(pairs * steps * steps);
  const outHeads = allocateFloats(pairs * steps * valueDim);
  let dOut: Float32Array | null = null;
  let dScores: Float32Array | null = null;
  let dq: Float32Array | null = null;
  let dk: Float32Array | null = null;
  let dv: Float32Array | null = null;
  const square = steps * steps;

  return makeNode(
    "attention",
    [batch, steps, heads * valueDim],
    [q, k, v],
    (out) => {
      toHeads(q.data, qh, batch, steps, heads, keyDim);
      toHeads(k.data, kh, batch, steps, heads, keyDim);
      toHeads(v.data, vh, batch, steps, heads, valueDim);
      for (let pair = 0; pair < pairs; pair++) {
        const p = probabilities.subarray(pair * square, (pair + 1) * square);
        gemm(false, true, steps, steps, keyDim, qh.subarray(pair * steps * keyDim, (pair + 1) * steps * keyDim), kh.subarray(pair * steps * keyDim, (pair + 1) * steps * keyDim), p, false);
        softmaxRows(p, steps, scale, causal);
        gemm(false, false, steps, valueDim, steps, p, vh.subarray(pair * steps * valueDim, (pair + 1) * steps * valueDim), outHeads.subarray(pair * steps * valueDim, (pair + 1) * steps * valueDim), false);
      }
      fromHeads(outHeads, out.data, batch, steps, heads, valueDim, false);
    },
    (out) => {
      dOut ??= allocateFloats(pairs * steps * valueDim);
      dScores ??= allocateFloats(square);
      dq ??= allocateFloats(pairs * steps * keyDim);
      dk ??= allocateFloats(pairs * steps * keyDim);
      dv ??= allocateFloats(pairs * steps * valueDim);
      toHeads(out.grad!, dOut, batch, steps, heads, valueDim);
      for (let pair = 0; pair < pairs; pair++) {
        const p = probabilities.subarray(pair * square, (pair + 1) * square);
        const keys = (buffer: Float32Array) => buffer.subarray(pair * steps * keyDim, (pair + 1) * steps * keyDim);
        const values = (buffer: Float32Array) => buffer.subarray(pair * steps * valueDim, (pair + 1) * steps * valueDim);
        gemm(true, false, steps, valueDim, steps, p, values(dOut), values(dv), false); // dV = P^T dOut
        gemm(false, true, steps, steps, valueDim, values(dOut), values(vh), dScores, false); // dP = dOut V^T
        softmaxBackwardRows(p, dScores, steps, scale); // dS (scaled), in place
        gemm(false, false, steps, keyDim, steps, dScores, keys(kh), keys(dq), false); // dQ = dS K
        gemm(true, false, steps, keyDim, steps, dScores, keys(qh), keys(dk), false); // dK = dS^T Q
      }
      if (q.grad) fromHeads(dq, q.grad, batch, steps, heads, keyDim, true);
      if (k.grad) fromHeads(dk, k.grad, batch, steps, heads, keyDim, true);
      if (v.grad) fromHeads(dv, v.grad, batch, steps, heads, valueDim, true);
    },
  );
}

/** [batch, steps, heads * dim] -> [batch, heads, steps, dim]. */
function toHeads(x: Float32Array, out: Float32Array, batch: number, steps: number, heads: number, dim: number): void {
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      const row = (b * steps + t) * heads * dim;
      for (let h = 0; h < heads; h++) out.set(x.subarray(row + h * dim, row + (h + 1) * dim), ((b * heads + h) * steps + t) * dim);
    }
  }
}

/** [batch, heads, steps, dim] -> [batch, steps, heads * dim], written or added. */
function fromHeads(x: Float32Array, out: Float32Array, batch: number, steps: number, heads: number, dim: number, add: boolean): void {
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < steps; t++) {
        const from = ((b * heads + h) * steps + t) * dim;
        const to = (b * steps + t) * heads * dim + h * dim;
        if (add) for (let j = 0; j < dim; j++) out[to + j] += x[from + j];
        else out.set(x.subarray(from, from + dim), to);
      }
    }
  }
}

/** Each row i of scores (times scale) -> its softmax; with causal, columns past i get 0. */
function softmaxRows(p: Float32Array, steps: number, scale: number, causal: boolean): void {
  for (let i = 0; i < steps; i++) {
    const row = i * steps;
    const last = causal ? i : steps - 1;
    let max = -Infinity;
    for (let j = 0; j <= last; j++) max = Math.max(max, p[row + j] * scale);
    let sum = 0;
    for (let j = 0; j <= last; j++) sum += p[row + j] = Math.exp(p[row + j] * scale - max);
    for (let j = 0; j <= last; j++) p[row + j] /= sum;
    for (let j = last + 1; j < steps; j++) p[row + j] = 0;
  }
}

/** dP -> d(scores) through softmax and the scale: p (dp - sum(p dp)) * scale, row by row, in place. */
function softmaxBackwardRows(p: Float32Array, dp: Float32Array, steps: number, scale: number): void {
  for (let i = 0; i < steps; i++) {
    const row = i * steps;
    let dot = 0;
    for (let j = 0; j < steps; j++) dot += p[row + j] * dp[row + j];
    for (let j = 0; j < steps; j++) dp[row + j] = p[row + j] * (dp[row + j] - dot) * scale;
  }
}
