import { allocateInts } from "../kernels/kernel-path.js";
import { maxPoolBackward, maxPoolForward } from "../kernels/max-pool.js";
import { makeNode, type Tensor } from "../tensor.js";
import type { Window2d } from "./window2d.js";

/**
 * Max pooling over NHWC: each output is the largest value of its window, per
 * channel; positions in the padding are ignored. The winner's index is kept
 * for backward, which routes the whole gradient to it (the first one on ties).
 */
export function maxPool2d(x: Tensor, window: Window2d): Tensor {
  const { channels, outHeight, outWidth } = window;
  const batch = x.shape[0];
  checkImage("maxPool2d", x, window);
  const winners = allocateInts(batch * outHeight * outWidth * channels);

  return makeNode(
    "maxPool2d",
    [batch, outHeight, outWidth, channels],
    [x],
    (out) => maxPoolForward(x.data, out.data, winners, batch, window),
    (out) => {
      if (x.grad !== null) maxPoolBackward(out.grad!, winners, x.grad);
    },
  );
}

export function checkImage(op: string, x: Tensor, window: Window2d): void {
  if (x.shape.length !== 4 || x.shape[1] !== window.inHeight || x.shape[2] !== window.inWidth || x.shape[3] !== window.channels) {
    throw new Error(`${op}: input [${x.shape.join(", ")}] is not [batch, ${window.inHeight}, ${window.inWidth}, ${window.channels}]`);
  }
  if (window.outHeight < 1 || window.outWidth < 1) throw new Error(`${op}: the window does not fit the ${window.inHeight} x ${window.inWidth} input`);
}
