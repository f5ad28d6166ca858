import { makeNode, type Tensor } from "../tensor.js";

/**
 * Looks up a row of `table` ([vocabulary, dim]) for each integer id in `ids`
 * ([batch, steps]): output [batch, steps, dim]. Backward adds each output
 * row's gradient into its id's row; ids get no gradient. Ids are checked
 * before data reaches the model (checkInputIds); one out of range here is a bug.
 */
export function embeddingLookup(ids: Tensor, table: Tensor): Tensor {
  const [vocabulary, dim] = table.shape;
  const count = ids.size;
  // Where each id's row starts, filled by forward and read by backward (same ids).
  const rows = new Int32Array(count);
  return makeNode(
    "embedding",
    [...ids.shape, dim],
    [ids, table],
    (out) => {
      for (let k = 0; k < count; k++) {
        const id = ids.data[k];
        if (!(Number.isInteger(id) && id >= 0 && id < vocabulary)) throw new Error(`embedding: ${id} is not an id in [0, ${vocabulary})`);
        const row = (rows[k] = id * dim);
        out.data.set(table.data.subarray(row, row + dim), k * dim);
      }
    },
    (out) => {
      const g = out.grad!;
      const grad = table.grad;
      if (grad === null) return;
      for (let k = 0; k < count; k++) {
        const row = rows[k];
        for (let j = 0; j < dim; j++) grad[row + j] += g[k * dim + j];
      }
    },
  );
}
