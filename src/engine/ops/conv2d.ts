import { gemm } from "../kernels/gemm.js";
import { gemmSmallProduct, gemmTallTimesSmall } from "../kernels/gemm-skinny.js";
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
 * The cols buffer lives with the node and is reused every batch. While the
 * kernel matrix is small (the usual case) the skinny GEMM kernels do the
 * products; past that, the packed one.
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
  const cols = new Float32Array(rows * depth);
  const small = depth * filters <= SMALL_KERNEL_VALUES;
  // relu is applied as the small kernel stores the output; its backward only needs y > 0, which is z > 0.
  const fusedRelu = small && activation === reluKernel;
  const isLinear = activation === linearKernel || fusedRelu;
  let preactivation: Float32Array | null = null;
  let dPreactivation: Float32Array | null = null;
  let dCols: Float32Array | null = null;

  return makeNode(
    "conv2d",
    [batch, outHeight, outWidth, filters],
    bias ? [x, kernel, bias] : [x, kernel],
    (out) => {
      im2col(x.data, batch, window, cols);
      const z = (preactivation ??= isLinear ? out.data : new Float32Array(out.size));
      if (small) {
        gemmTallTimesSmall(false, rows, filters, depth, cols, kernel.data, bias?.data ?? null, z, fusedRelu);
      } else {
        gemm(false, false, rows, filters, depth, cols, kernel.data, z, false);
        if (bias !== null) addRowVector(z, bias.data, rows, filters);
      }
      if (!isLinear) activation.forward(z, out.data, rows, filters);
    },
    (out) => {
      let dz = out.grad!;
      if (fusedRelu) {
        dz = dPreactivation ??= new Float32Array(out.size);
        reluKernel.backward(out.data, out.data, out.grad!, dz, rows, filters);
      } else if (!isLinear) {
        dz = dPreactivation ??= new Float32Array(out.size);
        activation.backward(preactivation!, out.data, out.grad!, dz, rows, filters);
      }
      if (bias?.grad) sumRowsInto(dz, bias.grad, rows, filters);
      if (kernel.grad) {
        if (small) gemmSmallProduct(depth, filters, rows, cols, dz, kernel.grad);
        else gemm(true, false, depth, filters, rows, cols, dz, kernel.grad, true);
      }
      if (x.grad) {
        dCols ??= new Float32Array(rows * depth);
        if (small) gemmTallTimesSmall(true, rows, depth, filters, dz, kernel.data, null, dCols);
        else gemm(false, true, rows, depth, filters, dz, kernel.data, dCols, false);
        col2imAdd(dCols, batch, window, x.grad);
      }
    },
  );
}

function addRowVector(z: Float32Array, vector: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    for (let j = 0; j < cols; j++) z[start + j] += vector[j];
  }
}

function sumRowsInto(values: Float32Array, into: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    for (let j = 0; j < cols; j++) into[j] += values[start + j];
  }
}

/**
 * One row of `cols` per output position (batch, then rows, then columns of the
 * output), holding the kh x kw x channels values its kernel sees; zeros where
 * the window hangs over the padding. A kernel row's kw x channels values are
 * contiguous in NHWC, so each is one run of copies.
 */
export function im2col(x: Float32Array, batch: number, w: Window2d, cols: Float32Array): void {
  const { inHeight, inWidth, channels, kernelHeight, kernelWidth, strideHeight, strideWidth, outHeight, outWidth, padTop, padLeft } = w;
  const span = kernelWidth * channels;
  const depth = kernelHeight * span;
  const rowStride = inWidth * channels;
  let dst = 0;
  for (let n = 0; n < batch; n++) {
    const image = n * inHeight * rowStride;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padTop;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padLeft;
        const inside = x0 >= 0 && x0 + kernelWidth <= inWidth;
        for (let ky = 0; ky < kernelHeight; ky++) {
          const iy = y0 + ky;
          const to = dst + ky * span;
          if (iy < 0 || iy >= inHeight) {
            cols.fill(0, to, to + span);
            continue;
          }
          const from = image + iy * rowStride + x0 * channels;
          if (inside) {
            for (let t = 0; t < span; t++) cols[to + t] = x[from + t];
          } else {
            for (let kx = 0; kx < kernelWidth; kx++) {
              const ix = x0 + kx;
              const ok = ix >= 0 && ix < inWidth;
              for (let c = 0; c < channels; c++) cols[to + kx * channels + c] = ok ? x[from + kx * channels + c] : 0;
            }
          }
        }
        dst += depth;
      }
    }
  }
}

/** The adjoint of im2col: adds each row of `cols` back onto the input positions it was copied from. */
export function col2imAdd(cols: Float32Array, batch: number, w: Window2d, dx: Float32Array): void {
  const { inHeight, inWidth, channels, kernelHeight, kernelWidth, strideHeight, strideWidth, outHeight, outWidth, padTop, padLeft } = w;
  const span = kernelWidth * channels;
  const depth = kernelHeight * span;
  const rowStride = inWidth * channels;
  let src = 0;
  for (let n = 0; n < batch; n++) {
    const image = n * inHeight * rowStride;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padTop;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padLeft;
        const inside = x0 >= 0 && x0 + kernelWidth <= inWidth;
        for (let ky = 0; ky < kernelHeight; ky++) {
          const iy = y0 + ky;
          if (iy < 0 || iy >= inHeight) continue;
          const from = src + ky * span;
          const to = image + iy * rowStride + x0 * channels;
          if (inside) {
            for (let t = 0; t < span; t++) dx[to + t] += cols[from + t];
          } else {
            for (let kx = 0; kx < kernelWidth; kx++) {
              const ix = x0 + kx;
              if (ix < 0 || ix >= inWidth) continue;
              for (let c = 0; c < channels; c++) dx[to + kx * channels + c] += cols[from + kx * channels + c];
            }
          }
        }
        src += depth;
      }
    }
  }
}
