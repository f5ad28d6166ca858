import { columnSumsInto } from "../kernels/elementwise.js";
import { gemm, gemmBiasRelu } from "../kernels/gemm.js";
import { allocateFloats } from "../kernels/kernel-path.js";
import { makeNode, type Tensor } from "../tensor.js";
import { addFromTimeMajor, fromTimeMajor, sigmoid, toTimeMajor } from "./recurrent-steps.js";

/**
 * A gated recurrent unit layer over a whole sequence, as one graph node, as
 * TensorFlow.js's GRU computes it (reset gate before the recurrent product;
 * tfjs has no reset_after). Kernel [features, 3 units] and recurrentKernel
 * [units, 3 units] hold the update (z), reset (r) and candidate (h) gates:
 *
 *   z = sigmoid(x W_z + h_{t-1} R_z + b_z),  r = sigmoid(x W_r + h_{t-1} R_r + b_r)
 *   hh = tanh(x W_h + (r h_{t-1}) R_h + b_h),  h_t = z h_{t-1} + (1 - z) hh
 *
 * The input projection of every step and gate is one GEMM; each step runs
 * one GEMM for z and r together and one for the candidate (it needs r first).
 * Backward through time over the whole window, with dW, dR and dx as GEMMs over all steps.
 */
export function gru(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor | null, returnSequences: boolean): Tensor {
  const [batch, steps, features] = x.shape;
  const units = recurrentKernel.shape[0];
  const width = 3 * units;
  if (kernel.shape[0] !== features || kernel.shape[1] !== width || recurrentKernel.shape[1] !== width) {
    throw new Error(`gru: kernel [${kernel.shape.join(", ")}] and recurrent kernel [${recurrentKernel.shape.join(", ")}] do not fit ${features} features and ${units} units`);
  }
  const rows = steps * batch;
  const block = batch * units;
  const inputs = allocateFloats(rows * features); // time-major x
  const gates = allocateFloats(rows * width); // z, r, hh after their activations
  const hidden = allocateFloats((steps + 1) * block); // h_0 .. h_T
  const resetHidden = allocateFloats(rows * units); // r * h_{t-1}, per step
  const updateReset = allocateFloats(units * 2 * units); // R_z R_r, contiguous
  const candidate = allocateFloats(units * units); // R_h
  const recurrentZR = allocateFloats(batch * 2 * units);
  const recurrentH = allocateFloats(block);
  let dGates: Float32Array | null = null; // the gates' pre-activation gradients, [rows, 3 units]
  let dZR: Float32Array | null = null; // the same for z and r, contiguous [rows, 2 units]
  let dH: Float32Array | null = null; // and for the candidate, [rows, units]
  let dHidden: Float32Array | null = null;
  let dResetHidden: Float32Array | null = null;
  let dRecurrentZR: Float32Array | null = null;
  let dCandidate: Float32Array | null = null;
  let dInputs: Float32Array | null = null;

  return makeNode(
    "gru",
    returnSequences ? [batch, steps, units] : [batch, units],
    bias ? [x, kernel, recurrentKernel, bias] : [x, kernel, recurrentKernel],
    (out) => {
      splitRecurrentKernel(recurrentKernel.data, units, updateReset, candidate);
      toTimeMajor(x.data, inputs, batch, steps, features);
      gemmBiasRelu(false, false, rows, width, features, inputs, kernel.data, gates, false, bias?.data ?? null, false);
      hidden.fill(0, 0, block);
      for (let t = 0; t < steps; t++) {
        const g = gates.subarray(t * batch * width, (t + 1) * batch * width);
        const previous = hidden.subarray(t * block, (t + 1) * block);
        const rh = resetHidden.subarray(t * block, (t + 1) * block);
        gemm(false, false, batch, 2 * units, units, previous, updateReset, recurrentZR, false);
        for (let b = 0; b < batch; b++) {
          for (let u = 0; u < units; u++) {
            const at = b * width + u;
            g[at] = sigmoid(g[at] + recurrentZR[b * 2 * units + u]);
            const r = (g[at + units] = sigmoid(g[at + units] + recurrentZR[b * 2 * units + units + u]));
            rh[b * units + u] = r * previous[b * units + u];
          }
        }
        gemm(false, false, batch, units, units, rh, candidate, recurrentH, false);
        const next = (t + 1) * block;
        for (let b = 0; b < batch; b++) {
          for (let u = 0; u < units; u++) {
            const at = b * width + u;
            const z = g[at];
            const hh = (g[at + 2 * units] = Math.tanh(g[at + 2 * units] + recurrentH[b * units + u]));
            hidden[next + b * units + u] = z * previous[b * units + u] + (1 - z) * hh;
          }
        }
      }
      fromTimeMajor(hidden, out.data, batch, steps, units, returnSequences);
    },
    (out) => {
      const dy = out.grad!;
      dGates ??= allocateFloats(rows * width);
      dZR ??= allocateFloats(rows * 2 * units);
      dH ??= allocateFloats(rows * units);
      dHidden ??= allocateFloats(block);
      dResetHidden ??= allocateFloats(block);
      dHidden.fill(0);
      for (let t = steps - 1; t >= 0; t--) {
        const g = gates.subarray(t * batch * width, (t + 1) * batch * width);
        const previous = hidden.subarray(t * block, (t + 1) * block);
        const dg = dGates.subarray(t * batch * width, (t + 1) * batch * width);
        const dzr = dZR.subarray(t * batch * 2 * units, (t + 1) * batch * 2 * units);
        const dhh = dH.subarray(t * block, (t + 1) * block);
        // dHidden: from step t + 1 (set below); it becomes h_{t-1}'s gradient as this step is done.
        for (let b = 0; b < batch; b++) {
          const fromOutput = returnSequences ? (b * steps + t) * units : t === steps - 1 ? b * units : -1;
          for (let u = 0; u < units; u++) {
            const at = b * width + u;
            const dh = dHidden[b * units + u] + (fromOutput >= 0 ? dy[fromOutput + u] : 0);
            const z = g[at], hh = g[at + 2 * units];
            const daz = dh * (previous[b * units + u] - hh) * z * (1 - z);
            const dah = dh * (1 - z) * (1 - hh * hh);
            dg[at] = dzr[b * 2 * units + u] = daz;
            dg[at + 2 * units] = dhh[b * units + u] = dah;
            dHidden[b * units + u] = dh * z;
          }
        }
        gemm(false, true, batch, units, units, dhh, candidate, dResetHidden, false);
        for (let b = 0; b < batch; b++) {
          for (let u = 0; u < units; u++) {
            const at = b * width + u;
            const r = g[at + units];
            const drh = dResetHidden[b * units + u];
            const dar = drh * previous[b * units + u] * r * (1 - r);
            dg[at + units] = dzr[b * 2 * units + units + u] = dar;
            dHidden[b * units + u] += drh * r;
          }
        }
        gemm(false, true, batch, units, 2 * units, dzr, updateReset, dHidden, true);
      }
      if (recurrentKernel.grad) {
        dRecurrentZR ??= allocateFloats(units * 2 * units);
        dCandidate ??= allocateFloats(units * units);
        gemm(true, false, units, 2 * units, rows, hidden.subarray(0, rows * units), dZR, dRecurrentZR, false);
        gemm(true, false, units, units, rows, resetHidden, dH, dCandidate, false);
        addRecurrentKernel(recurrentKernel.grad, units, dRecurrentZR, dCandidate);
      }
      if (kernel.grad) gemm(true, false, features, width, rows, inputs, dGates, kernel.grad, true);
      if (bias?.grad) columnSumsInto(dGates, bias.grad, rows, width);
      if (x.grad) {
        dInputs ??= allocateFloats(rows * features);
        gemm(false, true, rows, features, width, dGates, kernel.data, dInputs, false);
        addFromTimeMajor(dInputs, x.grad, batch, steps, features);
      }
    },
  );
}

/** R [units, 3 units] -> R_z R_r [units, 2 units] and R_h [units, units], each contiguous for its GEMM. */
function splitRecurrentKernel(r: Float32Array, units: number, updateReset: Float32Array, candidate: Float32Array): void {
  for (let j = 0; j < units; j++) {
    updateReset.set(r.subarray(j * 3 * units, j * 3 * units + 2 * units), j * 2 * units);
    candidate.set(r.subarray(j * 3 * units + 2 * units, (j + 1) * 3 * units), j * units);
  }
}

/** The inverse of splitRecurrentKernel, adding: grad [units, 3 units] += [dZR | dH]. */
function addRecurrentKernel(grad: Float32Array, units: number, dZR: Float32Array, dH: Float32Array): void {
  for (let j = 0; j < units; j++) {
    for (let k = 0; k < 2 * units; k++) grad[j * 3 * units + k] += dZR[j * 2 * units + k];
    for (let k = 0; k < units; k++) grad[j * 3 * units + 2 * units + k] += dH[j * units + k];
  }
}
