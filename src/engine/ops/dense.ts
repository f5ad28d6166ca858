import { columnSumsInto } from "../kernels/elementwise.js";
import { gemm, gemmBiasRelu } from "../kernels/gemm.js";
import { allocateFloats } from "../kernels/kernel-path.js";
import { makeNode, type Tensor } from "../tensor.js";
import type { ActivationKernel } from "./activation-kernel.js";
import { linearKernel } from "./linear.js";
import { reluKernel } from "./relu.js";

/**
 * The fused dense layer: y = f(x . kernel + bias), one graph node.
 * Fusing saves the intermediate nodes and passes over memory of the unfused
 * chain matmul -> addBias -> activation (which exists too, for composition).
 * Bias and relu go into the GEMM's stores; relu's backward reads y (y > 0
 * exactly where z > 0), so it keeps no preactivation.
 *
 * x: rows x inputs (any trailing shape is flattened), kernel: inputs x units (leading axes
 * flattened), bias: units or null.
 */
export function dense(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: ActivationKernel = linearKernel): Tensor {
  const rows = x.shape[0];
  const inputs = rows === 0 ? 0 : x.size / rows;
  // A kernel of higher rank (conv1d's [k, channels, filters]) is its leading axes flattened: [inputs, units].
  const units = kernel.shape[kernel.shape.length - 1];
  const kernelRows = kernel.size / units;
  if (kernel.shape.length < 2 || kernelRows !== inputs) {
    throw new Error(`dense: kernel [${kernel.shape.join(", ")}] does not fit input [${x.shape.join(", ")}]`);
  }
  if (bias !== null && bias.size !== units) throw new Error(`dense: bias of size ${bias.size} does not fit ${units} units`);
  const isLinear = activation === linearKernel;
  const isRelu = activation === reluKernel;
  let preactivation: Float32Array | null = null; // z = x . kernel + bias; the output itself when linear
  let dPreactivation: Float32Array | null = null;

  return makeNode(
    "dense",
    [rows, units],
    bias ? [x, kernel, bias] : [x, kernel],
    (out) => {
      const z = (preactivation ??= isLinear || isRelu ? out.data : allocateFloats(out.size));
      gemmBiasRelu(false, false, rows, units, inputs, x.data, kernel.data, z, false, bias?.data ?? null, isRelu);
      if (!isLinear && !isRelu) activation.forward(z, out.data, rows, units);
    },
    (out) => {
      let dz = out.grad!;
      if (!isLinear) {
        dz = dPreactivation ??= allocateFloats(out.size);
        activation.backward(isRelu ? out.data : preactivation!, out.data, out.grad!, dz, rows, units);
      }
      if (bias?.grad) columnSumsInto(dz, bias.grad, rows, units);
      if (kernel.grad) gemm(true, false, inputs, units, rows, x.data, dz, kernel.grad, true);
      if (x.grad) gemm(false, true, rows, inputs, units, dz, kernel.data, x.grad, true);
    },
  );
}
