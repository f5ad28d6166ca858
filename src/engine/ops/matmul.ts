import { gemm } from "../kernels/gemm.js";
import { makeNode, type Tensor } from "../tensor.js";

/** a (m x k) . b (k x n). Backward: da += g . b^T, db += a^T . g. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const [m, k] = a.shape;
  const [k2, n] = b.shape;
  if (a.shape.length !== 2 || b.shape.length !== 2 || k !== k2) {
    throw new Error(`matmul: cannot multiply [${a.shape.join(", ")}] by [${b.shape.join(", ")}]`);
  }
  return makeNode(
    "matmul",
    [m, n],
    [a, b],
    (out) => gemm(false, false, m, n, k, a.data, b.data, out.data, false),
    (out) => {
      if (a.grad) gemm(false, true, m, k, n, out.grad!, b.data, a.grad, true);
      if (b.grad) gemm(true, false, k, n, m, a.data, out.grad!, b.grad, true);
    },
  );
}
