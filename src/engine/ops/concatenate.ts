import { addInto } from "../kernels/elementwise.js";
import { makeNode, type Tensor } from "../tensor.js";

/**
 * Tensors side by side along their last axis: [..., a] and [..., b] give
 * [..., a + b]; the leading axes must agree. Backward: each input gets its
 * own slice of the output's gradient.
 */
export function concatenate(inputs: readonly Tensor[]): Tensor {
  const lead = inputs[0].shape.slice(0, -1);
  const rows = lead.reduce((a, b) => a * b, 1);
  const widths = inputs.map((t) => t.shape[t.shape.length - 1]);
  for (const t of inputs) {
    if (t.shape.length !== lead.length + 1 || t.shape.slice(0, -1).some((d, i) => d !== lead[i])) {
      throw new Error(`concatenate: shapes [${inputs[0].shape.join(", ")}] and [${t.shape.join(", ")}] differ before the last axis`);
    }
  }
  const total = widths.reduce((a, b) => a + b, 0);
  return makeNode(
    "concatenate",
    [...lead, total],
    inputs,
    (out) => {
      let offset = 0;
      inputs.forEach((t, k) => {
        const width = widths[k];
        for (let r = 0; r < rows; r++) out.data.set(t.data.subarray(r * width, (r + 1) * width), r * total + offset);
        offset += width;
      });
    },
    (out) => {
      const g = out.grad!;
      let offset = 0;
      inputs.forEach((t, k) => {
        const width = widths[k];
        if (t.grad !== null) {
          for (let r = 0; r < rows; r++) addInto(t.grad.subarray(r * width, (r + 1) * width), g.subarray(r * total + offset, r * total + offset + width), width);
        }
        offset += width;
      });
    },
  );
}
