import type { Window2d } from "../ops/window2d.js";
import { wasmKernelsFor } from "./kernel-path.js";

/**
 * Max pooling over NHWC: each output is the largest value of its window, per
 * channel; positions in the padding are ignored. `winners` gets the index in
 * x of each output's value (the first one on ties), for backward. The
 * WebAssembly kernel (wasm/image-kernels.ts) runs the same scan, four
 * channels at a time, when the arrays live in the kernels' heap.
 */
export function maxPoolForward(x: Float32Array, y: Float32Array, winners: Int32Array, batch: number, w: Window2d): void {
  const kernels = wasmKernelsFor(x, y, winners);
  if (kernels !== null) {
    return kernels.exports.maxpool_forward(x.byteOffset, y.byteOffset, winners.byteOffset, batch, w.inHeight, w.inWidth, w.channels, w.kernelHeight, w.kernelWidth, w.strideHeight, w.strideWidth, w.outHeight, w.outWidth, w.padTop, w.padLeft);
  }
  const { inHeight, inWidth, channels, kernelHeight, kernelWidth, strideHeight, strideWidth, outHeight, outWidth, padTop, padLeft } = w;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const image = n * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const yFirst = Math.max(0, oy * strideHeight - padTop);
      const yEnd = Math.min(inHeight, oy * strideHeight - padTop + kernelHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const xFirst = Math.max(0, ox * strideWidth - padLeft);
        const xEnd = Math.min(inWidth, ox * strideWidth - padLeft + kernelWidth);
        // Channel by channel, the running maximum stays in locals.
        for (let c = 0; c < channels; c++) {
          let winner = image + (yFirst * inWidth + xFirst) * channels + c;
          let best = x[winner];
          for (let iy = yFirst; iy < yEnd; iy++) {
            for (let ix = xFirst, at = image + (iy * inWidth + xFirst) * channels + c; ix < xEnd; ix++, at += channels) {
              if (x[at] > best) {
                best = x[at];
                winner = at;
              }
            }
          }
          y[o + c] = best;
          winners[o + c] = winner;
        }
        o += channels;
      }
    }
  }
}

/** dx[winners[i]] += g[i], in order: each output's gradient goes to the input it came from. */
export function maxPoolBackward(g: Float32Array, winners: Int32Array, dx: Float32Array): void {
  const kernels = wasmKernelsFor(g, winners, dx);
  if (kernels !== null) return kernels.exports.maxpool_backward(g.byteOffset, winners.byteOffset, dx.byteOffset, g.length);
  for (let i = 0; i < g.length; i++) dx[winners[i]] += g[i];
}
