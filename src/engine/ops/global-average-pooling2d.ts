import { makeNode, type Tensor } from "../tensor.js";

/** [batch, height, width, channels] -> [batch, channels]: each channel's mean over the image. */
export function globalAveragePooling2d(x: Tensor): Tensor {
  if (x.shape.length !== 4) throw new Error(`globalAveragePooling2d: input [${x.shape.join(", ")}] is not [batch, height, width, channels]`);
  const [batch, height, width, channels] = x.shape;
  const pixels = height * width;
  const scale = 1 / pixels;
  return makeNode(
    "globalAveragePooling2d",
    [batch, channels],
    [x],
    (out) => {
      const xs = x.data;
      const ys = out.data;
      ys.fill(0);
      for (let n = 0; n < batch; n++) {
        const o = n * channels;
        for (let p = 0; p < pixels; p++) {
          const at = (n * pixels + p) * channels;
          for (let c = 0; c < channels; c++) ys[o + c] += xs[at + c];
        }
        for (let c = 0; c < channels; c++) ys[o + c] *= scale;
      }
    },
    (out) => {
      const dx = x.grad;
      if (dx === null) return;
      const g = out.grad!;
      for (let n = 0; n < batch; n++) {
        for (let p = 0; p < pixels; p++) {
          const at = (n * pixels + p) * channels;
          for (let c = 0; c < channels; c++) dx[at + c] += g[n * channels + c] * scale;
        }
      }
    },
  );
}
