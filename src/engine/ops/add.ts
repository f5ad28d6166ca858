import { addInto } from "../kernels/elementwise.js";
import { makeNode, type Tensor } from "../tensor.js";

/** The element-wise sum of tensors of one shape, summed in input order. Backward: each input gets the output's gradient. */
export function addTensors(inputs: readonly Tensor[]): Tensor {
  const [first] = inputs;
  for (const t of inputs) {
    if (t.size !== first.size) throw new Error(`add: shapes [${first.shape.join(", ")}] and [${t.shape.join(", ")}] differ`);
  }
  return makeNode(
    "add",
    first.shape,
    inputs,
    (out) => {
      out.data.set(first.data);
      for (let i = 1; i < inputs.length; i++) addInto(out.data, inputs[i].data, out.size);
    },
    (out) => {
      for (const t of inputs) if (t.grad !== null) addInto(t.grad, out.grad!, out.size);
    },
  );
}
