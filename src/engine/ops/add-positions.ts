import { addInto } from "../kernels/elementwise.js";
import { makeNode, type Tensor } from "../tensor.js";

/**
 * x [batch, steps, dim] + table [steps, dim], the same table for every sample
 * (a learned position embedding). Backward: x gets the gradient as is, the
 * table the sum of every sample's.
 */
export function addPositions(x: Tensor, table: Tensor): Tensor {
  const sample = table.size;
  const batch = x.size / sample;
  if (!Number.isInteger(batch) || x.shape.length !== table.shape.length + 1 || x.shape.slice(1).some((d, i) => d !== table.shape[i])) {
    throw new Error(`addPositions: input [${x.shape.join(", ")}] and table [${table.shape.join(", ")}] do not fit`);
  }
  return makeNode(
    "addPositions",
    x.shape,
    [x, table],
    (out) => {
      for (let b = 0; b < batch; b++) {
        const at = b * sample;
        for (let j = 0; j < sample; j++) out.data[at + j] = x.data[at + j] + table.data[j];
      }
    },
    (out) => {
      const g = out.grad!;
      if (x.grad) addInto(x.grad, g, g.length);
      if (table.grad) for (let b = 0; b < batch; b++) addInto(table.grad, g.subarray(b * sample, (b + 1) * sample), sample);
    },
  );
}
