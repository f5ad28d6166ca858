import { makeNode, type Tensor } from "../tensor.js";
import type { Window2d } from "./window2d.js";

/**
 * Max pooling over NHWC: each output is the largest value of its window, per
 * channel; positions in the padding are ignored. The winner's index is kept
 * for backward, which routes the whole gradient to it (the first one on ties).
 */
export function maxPool2d(x: Tensor, window: Window2d): Tensor {
  const { inHeight, inWidth, channels, kernelHeight, kernelWidth, strideHeight, strideWidth, outHeight, outWidth, padTop, padLeft } = window;
  const batch = x.shape[0];
  checkImage("maxPool2d", x, window);
  const winners = new Int32Array(batch * outHeight * outWidth * channels);

  return makeNode(
    "maxPool2d",
    [batch, outHeight, outWidth, channels],
    [x],
    (out) => {
      const xs = x.data;
      const ys = out.data;
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
              let best = xs[winner];
              for (let iy = yFirst; iy < yEnd; iy++) {
                for (let ix = xFirst, at = image + (iy * inWidth + xFirst) * channels + c; ix < xEnd; ix++, at += channels) {
                  if (xs[at] > best) {
                    best = xs[at];
                    winner = at;
                  }
                }
              }
              ys[o + c] = best;
              winners[o + c] = winner;
            }
            o += channels;
          }
        }
      }
    },
    (out) => {
      const dx = x.grad;
      if (dx === null) return;
      const g = out.grad!;
      for (let i = 0; i < g.length; i++) dx[winners[i]] += g[i];
    },
  );
}

export function checkImage(op: string, x: Tensor, window: Window2d): void {
  if (x.shape.length !== 4 || x.shape[1] !== window.inHeight || x.shape[2] !== window.inWidth || x.shape[3] !== window.channels) {
    throw new Error(`${op}: input [${x.shape.join(", ")}] is not [batch, ${window.inHeight}, ${window.inWidth}, ${window.channels}]`);
  }
  if (window.outHeight < 1 || window.outWidth < 1) throw new Error(`${op}: the window does not fit the ${window.inHeight} x ${window.inWidth} input`);
}
