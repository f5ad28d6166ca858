import { addInto } from "../kernels/elementwise.js";
import { makeNode, type Tensor } from "../tensor.js";

/** The same values (row-major) under another shape of the same size; backward passes the gradient through. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== x.size) throw new Error(`reshape: [${x.shape.join(", ")}] has ${x.size} values, [${shape.join(", ")}] holds ${size}`);
  return makeNode(
    "reshape",
    shape,
    [x],
    (out) => out.data.set(x.data),
    (out) => {
      if (x.grad !== null) addInto(x.grad, out.grad!, out.size);
    },
  );
}
