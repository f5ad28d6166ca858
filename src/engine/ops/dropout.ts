import type { ForwardContext } from "../context.js";
import { makeNode, type Tensor } from "../tensor.js";

/**
 * Inverted dropout: in training each value is zeroed with probability `rate`
 * and the survivors are scaled by 1 / (1 - rate), so evaluation is the
 * identity and needs no rescaling. The mask of the last forward is kept for backward.
 */
export function dropout(x: Tensor, rate: number, context: ForwardContext): Tensor {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  const scale = 1 / (1 - rate);
  let mask: Float32Array | null = null;
  let masked = false; // whether the last forward applied the mask

  return makeNode(
    "dropout",
    x.shape,
    [x],
    (out) => {
      masked = context.training && rate > 0;
      if (!masked) {
        out.data.set(x.data);
        return;
      }
      mask ??= new Float32Array(x.size);
      const rng = context.rng;
      for (let i = 0; i < mask.length; i++) {
        mask[i] = rng.nextFloat() < rate ? 0 : scale;
        out.data[i] = x.data[i] * mask[i];
      }
    },
    (out) => {
      const dx = x.grad;
      if (dx === null) return;
      const g = out.grad!;
      if (masked) for (let i = 0; i < dx.length; i++) dx[i] += g[i] * mask![i];
      else for (let i = 0; i < dx.length; i++) dx[i] += g[i];
    },
  );
}
