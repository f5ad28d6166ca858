import { columnSumsInto } from "../kernels/elementwise.js";
import { gemm, gemmBiasRelu } from "../kernels/gemm.js";
import { gemmSmallProduct, gemmTallTimesSmall } from "../kernels/gemm-skinny.js";
import { col2imAdd, im2col } from "../kernels/im2col.js";
import { allocateFloats, kernelPath } from "../kernels/kernel-path.js";
import { makeNode, type Tensor } from "../tensor.js";
import type { ActivationKernel } from "./activation-kernel.js";
import { linearKernel } from "./linear.js";
import { reluKernel } from "./relu.js";
import type { Window2d } from "./window2d.js";

/**
 * The fused 2-D convolution: y = f(conv(x, kernel) + bias), one graph node,
 * computed as im2col + GEMM. x: [batch, height, width, inChannels] (NHWC),
 * kernel: [kh, kw, inChannels, filters], bias: [filters] or null,
 * y: [batch, outHeight, outWidth, filters].
 *
 * im2col lays each output position's receptive field out as one row of
 * `cols` (rows x kh*kw*inChannels), so that the convolution is
 * cols . kernel, with the kernel read as a (kh*kw*inChannels) x filters
 * matrix in its own row-major order. Backward:
 *   dKernel += cols^T . dz,  dCols = dz . kernel^T, scattered back into dx (col2im).
 * The cols buffer lives with the node and is reused every batch. On the
 * TypeScript path, while the kernel matrix is small (the usual case), the
 * skinny GEMM kernels do the products; otherwise the general GEMM does.
 */
const SMALL_KERNEL_VALUES = 4096; // kh*kw*inChannels*filters: 16 KiB of float32, well inside L1 + L2
export function conv2d(x: Tensor, kernel: Tensor, bias: Tensor | null, window: Window2d, activation: ActivationKernel = linearKernel): Tensor {
  const { inHeight, inWidth, channels, kernelHeight, kernelWidth, outHeight, outWidth } = window;
  const filters = kernel.shape[3];
  const batch = x.shape[0];
  if (x.shape.length !== 4 || x.shape[1] !== inHeight || x.shape[2] !== inWidth || x.shape[3] !== channels) {
    throw new Error(`conv2d: input [${x.shape.join(", ")}] is not [batch, ${inHeight}, ${inWidth}, ${channels}]`);
  }
  if (kernel.shape.length !== 4 || kernel.shape[0] !== kernelHeight || kernel.shape[1] !== kernelWidth || kernel.shape[2] !== channels) {
    throw new Error(`conv2d: kernel [${kernel.shape.join(", ")}] does not fit [${kernelHeight}, ${kernelWidth}, ${channels}, filters]`);
  }
  if (bias !== null && bias.size !== filters) throw new Error(`conv2d: bias of size ${bias.size} does not fit ${filters} filters`);
  const rows = batch * outHeight * outWidth; // output positions
  const depth = kernelHeight * kernelWidth * channels; // values per receptive field
  const cols = allocateFloats(rows * depth);
  const small = depth * filters <= SMALL_KERNEL_VALUES;
  // relu is applied as the GEMM stores the output; its backward only needs y > 0, which is z > 0.
  const isRelu = activation === reluKernel;
  const isLinear = activation === linearKernel;
  let preactivation: Float32Array | null = null;
  let dPreactivation: Float32Array | null = null;
  let dCols: Float32Array | null = null;

  return makeNode(
    "conv2d",
    [batch, outHeight, outWidth, filters],
    bias ? [x, kernel, bias] : [x, kernel],
    (out) => {
      im2col(x.data, batch, window, cols);
      const z = (preactivation ??= isLinear || isRelu ? out.data : allocateFloats(out.size));
      if (small && kernelPath() === "typescript") gemmTallTimesSmall(false, rows, filters, depth, cols, kernel.data, bias?.data ?? null, z, isRelu);
      else gemmBiasRelu(false, false, rows, filters, depth, cols, kernel.data, z, false, bias?.data ?? null, isRelu);
      if (!isLinear && !isRelu) activation.forward(z, out.data, rows, filters);
    },
    (out) => {
      let dz = out.grad!;
      if (!isLinear) {
        dz = dPreactivation ??= allocateFloats(out.size);
        activation.backward(isRelu ? out.data : preactivation!, out.data, out.grad!, dz, rows, filters);
      }
      const skinny = small && kernelPath() === "typescript";
      if (bias?.grad) columnSumsInto(dz, bias.grad, rows, filters);
      if (kernel.grad) {
        if (skinny) gemmSmallProduct(depth, filters, rows, cols, dz, kernel.grad);
        else gemm(true, false, depth, filters, rows, cols, dz, kernel.grad, true);
      }
      if (x.grad) {
        dCols ??= allocateFloats(rows * depth);
        if (skinny) gemmTallTimesSmall(true, rows, depth, filters, dz, kernel.data, null, dCols);
        else gemm(false, true, rows, depth, filters, dz, kernel.data, dCols, false);
        col2imAdd(dCols, batch, window, x.grad);
      }
    },
  );
}
