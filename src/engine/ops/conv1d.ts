import { makeNode, type Tensor } from "../tensor.js";
import type { ActivationKernel } from "./activation-kernel.js";
import { dense } from "./dense.js";
import { linearKernel } from "./linear.js";
import { reshape } from "./reshape.js";
import type { Window1d } from "./window1d.js";

/**
 * 1-D convolution of x [batch, steps, channels] with kernel [k, channels, filters]:
 * im2col into rows of k x channels values (one per output step, zeros where
 * the window reaches the padding), then the fused dense op (GEMM, bias,
 * activation), then back to [batch, outSteps, filters].
 */
export function conv1d(x: Tensor, kernel: Tensor, bias: Tensor | null, window: Window1d, activation: ActivationKernel = linearKernel): Tensor {
  const batch = x.shape[0];
  const filters = kernel.shape[kernel.shape.length - 1];
  return reshape(dense(im2col1d(x, window), kernel, bias, activation), [batch, window.outSteps, filters]);
}

/** [batch, steps, channels] -> [batch * outSteps, k * channels]; backward adds each column value's gradient back into its step. */
export function im2col1d(x: Tensor, window: Window1d): Tensor {
  const [batch, steps, channels] = x.shape;
  const { kernel, stride, dilation, outSteps, padBefore } = window;
  const width = kernel * channels;
  // Where each (output step, kernel tap) reads, or -1 in the padding: computed once per graph.
  const source = new Int32Array(outSteps * kernel);
  for (let t = 0; t < outSteps; t++) {
    for (let j = 0; j < kernel; j++) {
      const step = t * stride + j * dilation - padBefore;
      source[t * kernel + j] = step >= 0 && step < steps ? step : -1;
    }
  }
  return makeNode(
    "im2col1d",
    [batch * outSteps, width],
    [x],
    (out) => {
      const cols = out.data;
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < outSteps; t++) {
          const row = (b * outSteps + t) * width;
          for (let j = 0; j < kernel; j++) {
            const step = source[t * kernel + j];
            const at = row + j * channels;
            if (step < 0) cols.fill(0, at, at + channels);
            else cols.set(x.data.subarray((b * steps + step) * channels, (b * steps + step + 1) * channels), at);
          }
        }
      }
    },
    (out) => {
      const dx = x.grad;
      if (dx === null) return;
      const g = out.grad!;
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < outSteps; t++) {
          const row = (b * outSteps + t) * width;
          for (let j = 0; j < kernel; j++) {
            const step = source[t * kernel + j];
            if (step < 0) continue;
            const into = (b * steps + step) * channels;
            const from = row + j * channels;
            for (let c = 0; c < channels; c++) dx[into + c] += g[from + c];
          }
        }
      }
    },
  );
}

