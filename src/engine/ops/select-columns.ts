import { makeNode, type Tensor } from "../tensor.js";

/**
 * The positions `indices` of the last axis, in their order: [..., width] ->
 * [..., indices.length] (a table's columns picked out of its feature vector).
 * Backward adds each output's gradient into the position it came from.
 */
export function selectColumns(x: Tensor, indices: Int32Array): Tensor {
  const width = x.shape[x.shape.length - 1];
  const rows = x.size / width;
  const picked = indices.length;
  return makeNode(
    "selectColumns",
    [...x.shape.slice(0, -1), picked],
    [x],
    (out) => {
      for (let r = 0; r < rows; r++) {
        const from = r * width;
        const to = r * picked;
        for (let j = 0; j < picked; j++) out.data[to + j] = x.data[from + indices[j]];
      }
    },
    (out) => {
      const grad = x.grad;
      if (grad === null) return;
      const g = out.grad!;
      for (let r = 0; r < rows; r++) {
        const from = r * width;
        const to = r * picked;
        for (let j = 0; j < picked; j++) grad[from + indices[j]] += g[to + j];
      }
    },
  );
}
