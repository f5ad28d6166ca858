import { addInto } from "../kernels/elementwise.js";
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
      if (x.grad !== null) addInto(x.grad, out.grad!, out.grad!.length);
    },
  );
}
