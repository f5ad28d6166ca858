import { makeNode, type Tensor } from "../tensor.js";

/** [batch, ...] -> [batch, product of the rest]. Row-major, so the values stay in place; backward passes the gradient through. */
export function flatten(x: Tensor): Tensor {
  const batch = x.shape[0];
  const features = batch === 0 ? 0 : x.size / batch;
  return makeNode(
    "flatten",
    [batch, features],
    [x],
    (out) => out.data.set(x.data),
    (out) => {
      const dx = x.grad;
      if (dx === null) return;
      const g = out.grad!;
      for (let i = 0; i < g.length; i++) dx[i] += g[i];
    },
  );
}
