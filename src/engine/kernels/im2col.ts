import type { Window2d } from "../ops/window2d.js";
import { wasmKernelsFor } from "./kernel-path.js";

/**
 * im2col: one row of `cols` per output position (batch, then rows, then
 * columns of the output), holding the kh x kw x channels values its kernel
 * sees, zeros over the padding; col2imAdd is its adjoint. The WebAssembly
 * kernels (wasm/image-kernels.ts) run the same loops when the arrays live in
 * their heap; the TypeScript ones below are the reference.
 */
export function im2col(x: Float32Array, batch: number, w: Window2d, cols: Float32Array): void {
  const kernels = wasmKernelsFor(x, cols);
  if (kernels === null) return im2colTypeScript(x, batch, w, cols);
  kernels.exports.im2col(x.byteOffset, cols.byteOffset, batch, w.inHeight, w.inWidth, w.channels, w.kernelHeight, w.kernelWidth, w.strideHeight, w.strideWidth, w.outHeight, w.outWidth, w.padTop, w.padLeft);
}

/** Adds each row of `cols` back onto the input positions im2col copied it from. */
export function col2imAdd(cols: Float32Array, batch: number, w: Window2d, dx: Float32Array): void {
  const kernels = wasmKernelsFor(cols, dx);
  if (kernels === null) return col2imAddTypeScript(cols, batch, w, dx);
  kernels.exports.col2im_add(cols.byteOffset, dx.byteOffset, batch, w.inHeight, w.inWidth, w.channels, w.kernelHeight, w.kernelWidth, w.strideHeight, w.strideWidth, w.outHeight, w.outWidth, w.padTop, w.padLeft);
}

/**
 * One row of `cols` per output position (batch, then rows, then columns of the
 * output), holding the kh x kw x channels values its kernel sees; zeros where
 * the window hangs over the padding. A kernel row's kw x channels values are
 * contiguous in NHWC, so each is one run of copies.
 */
function im2colTypeScript(x: Float32Array, batch: number, w: Window2d, cols: Float32Array): void {
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
function col2imAddTypeScript(cols: Float32Array, batch: number, w: Window2d, dx: Float32Array): void {
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
