import { columnSumsInto } from "../kernels/elementwise.js";
import { gemm, gemmBiasRelu } from "../kernels/gemm.js";
import { allocateFloats } from "../kernels/kernel-path.js";
import { makeNode, type Tensor } from "../tensor.js";
import { addFromTimeMajor, fromTimeMajor, sigmoid, toTimeMajor } from "./recurrent-steps.js";

/**
 * A long short-term memory layer over a whole sequence, as one graph node:
 * x [batch, steps, features] -> [batch, units] (the last step's hidden state)
 * or [batch, steps, units] (`returnSequences`). Keras's and TensorFlow.js's
 * layout and gate order: kernel [features, 4 units] and recurrentKernel
 * [units, 4 units] hold the input, forget, cell and output gates side by side.
 *
 *   z_t = x_t W + h_{t-1} R + b;  i, f, o = sigmoid(z), g = tanh(z)
 *   c_t = f c_{t-1} + i g;        h_t = o tanh(c_t)          (h_0 = c_0 = 0)
 *
 * The input projection of every step is one GEMM ([steps * batch, features] .
 * W, time-major); each step then adds h_{t-1} . R for all four gates in one GEMM.
 * Backward runs through time over the whole window, one GEMM per step for the
 * hidden state's gradient, and one GEMM each for dW, dR and dx over all steps.
 * Every buffer lives with the node and is reused batch after batch.
 */
export function lstm(x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor | null, returnSequences: boolean): Tensor {
  const [batch, steps, features] = x.shape;
  const units = recurrentKernel.shape[0];
  const width = 4 * units;
  if (kernel.shape[0] !== features || kernel.shape[1] !== width || recurrentKernel.shape[1] !== width) {
    throw new Error(`lstm: kernel [${kernel.shape.join(", ")}] and recurrent kernel [${recurrentKernel.shape.join(", ")}] do not fit ${features} features and ${units} units`);
  }
  const rows = steps * batch;
  const inputs = allocateFloats(rows * features); // x, time-major: row t * batch + b
  const gates = allocateFloats(rows * width); // i, f, g, o after their activations
  const cells = allocateFloats((steps + 1) * batch * units); // c_0 .. c_T
  const hidden = allocateFloats((steps + 1) * batch * units); // h_0 .. h_T
  let dGates: Float32Array | null = null;
  let dHidden: Float32Array | null = null;
  let dCell: Float32Array | null = null;
  let dInputs: Float32Array | null = null;
  const block = batch * units;

  return makeNode(
    "lstm",
    returnSequences ? [batch, steps, units] : [batch, units],
    bias ? [x, kernel, recurrentKernel, bias] : [x, kernel, recurrentKernel],
    (out) => {
      toTimeMajor(x.data, inputs, batch, steps, features);
      gemmBiasRelu(false, false, rows, width, features, inputs, kernel.data, gates, false, bias?.data ?? null, false);
      hidden.fill(0, 0, block);
      cells.fill(0, 0, block);
      for (let t = 0; t < steps; t++) {
        const z = gates.subarray(t * batch * width, (t + 1) * batch * width);
        gemm(false, false, batch, width, units, hidden.subarray(t * block, (t + 1) * block), recurrentKernel.data, z, true);
        for (let b = 0; b < batch; b++) {
          const g0 = b * width;
          const previous = t * block + b * units;
          const next = previous + block;
          for (let u = 0; u < units; u++) {
            const i = (z[g0 + u] = sigmoid(z[g0 + u]));
            const f = (z[g0 + units + u] = sigmoid(z[g0 + units + u]));
            const g = (z[g0 + 2 * units + u] = Math.tanh(z[g0 + 2 * units + u]));
            const o = (z[g0 + 3 * units + u] = sigmoid(z[g0 + 3 * units + u]));
            const c = (cells[next + u] = f * cells[previous + u] + i * g);
            hidden[next + u] = o * Math.tanh(c);
          }
        }
      }
      fromTimeMajor(hidden, out.data, batch, steps, units, returnSequences);
    },
    (out) => {
      const dy = out.grad!;
      dGates ??= allocateFloats(rows * width);
      dHidden ??= allocateFloats(block);
      dCell ??= allocateFloats(block);
      dHidden.fill(0);
      dCell.fill(0);
      for (let t = steps - 1; t >= 0; t--) {
        const z = gates.subarray(t * batch * width, (t + 1) * batch * width);
        const dz = dGates.subarray(t * batch * width, (t + 1) * batch * width);
        for (let b = 0; b < batch; b++) {
          const g0 = b * width;
          const previous = t * block + b * units;
          const next = previous + block;
          const fromOutput = returnSequences ? (b * steps + t) * units : t === steps - 1 ? b * units : -1;
          for (let u = 0; u < units; u++) {
            const dh = dHidden[b * units + u] + (fromOutput >= 0 ? dy[fromOutput + u] : 0);
            const i = z[g0 + u], f = z[g0 + units + u], g = z[g0 + 2 * units + u], o = z[g0 + 3 * units + u];
            const tanhC = Math.tanh(cells[next + u]);
            const dc = dCell[b * units + u] + dh * o * (1 - tanhC * tanhC);
            dz[g0 + u] = dc * g * i * (1 - i);
            dz[g0 + units + u] = dc * cells[previous + u] * f * (1 - f);
            dz[g0 + 2 * units + u] = dc * i * (1 - g * g);
            dz[g0 + 3 * units + u] = dh * tanhC * o * (1 - o);
            dCell[b * units + u] = dc * f;
          }
        }
        // The previous step's hidden state fed all four gates through R.
        if (t > 0) gemm(false, true, batch, units, width, dz, recurrentKernel.data, dHidden, false);
      }
      if (recurrentKernel.grad) gemm(true, false, units, width, rows, hidden.subarray(0, rows * units), dGates, recurrentKernel.grad, true);
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
