import { makeNode, type Tensor } from "../tensor.js";

/** x (rows x cols) + bias (cols), the bias broadcast over rows. Backward: dbias += column sums of g. */
export function addBias(x: Tensor, bias: Tensor): Tensor {
  const cols = bias.size;
  if (x.shape.length !== 2 || x.shape[1] !== cols) {
    throw new Error(`addBias: bias of size ${cols} does not fit input [${x.shape.join(", ")}]`);
  }
  const rows = x.shape[0];
  return makeNode(
    "addBias",
    x.shape,
    [x, bias],
    (out) => {
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) out.data[r * cols + j] = x.data[r * cols + j] + bias.data[j];
      }
    },
    (out) => {
      const g = out.grad!;
      if (x.grad) for (let i = 0; i < g.length; i++) x.grad[i] += g[i];
      if (bias.grad) {
        for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) bias.grad[j] += g[r * cols + j];
      }
    },
  );
}
