import { makeNode, type Tensor } from "../tensor.js";
import { checkImage } from "./max-pool2d.js";
import type { Window2d } from "./window2d.js";

/**
 * Average pooling over NHWC: each output is the mean of its window's values
 * inside the image, per channel (padding is not counted, as in TensorFlow).
 * Backward spreads each output's gradient evenly over those values.
 */
export function avgPool2d(x: Tensor, window: Window2d): Tensor {
  const { inHeight, inWidth, channels, kernelHeight, kernelWidth, strideHeight, strideWidth, outHeight, outWidth, padTop, padLeft } = window;
  const batch = x.shape[0];
  checkImage("avgPool2d", x, window);

  /** Calls visit(first input index of the window's row run, its length in pixels, output index, 1 / count) per output pixel and window row. */
  const eachWindowRow = (visit: (at: number, pixels: number, o: number, scale: number) => void): void => {
    let o = 0;
    for (let n = 0; n < batch; n++) {
      const image = n * inHeight * inWidth * channels;
      for (let oy = 0; oy < outHeight; oy++) {
        const yFirst = Math.max(0, oy * strideHeight - padTop);
        const yEnd = Math.min(inHeight, oy * strideHeight - padTop + kernelHeight);
        for (let ox = 0; ox < outWidth; ox++) {
          const xFirst = Math.max(0, ox * strideWidth - padLeft);
          const xEnd = Math.min(inWidth, ox * strideWidth - padLeft + kernelWidth);
          const scale = 1 / ((yEnd - yFirst) * (xEnd - xFirst));
          for (let iy = yFirst; iy < yEnd; iy++) visit(image + (iy * inWidth + xFirst) * channels, xEnd - xFirst, o, scale);
          o += channels;
        }
      }
    }
  };

  return makeNode(
    "avgPool2d",
    [batch, outHeight, outWidth, channels],
    [x],
    (out) => {
      const xs = x.data;
      const ys = out.data;
      ys.fill(0);
      eachWindowRow((at, pixels, o, scale) => {
        for (let p = 0; p < pixels; p++) for (let c = 0; c < channels; c++) ys[o + c] += xs[at + p * channels + c] * scale;
      });
    },
    (out) => {
      const dx = x.grad;
      if (dx === null) return;
      const g = out.grad!;
      eachWindowRow((at, pixels, o, scale) => {
        for (let p = 0; p < pixels; p++) for (let c = 0; c < channels; c++) dx[at + p * channels + c] += g[o + c] * scale;
      });
    },
  );
}
