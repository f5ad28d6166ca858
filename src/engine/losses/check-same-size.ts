import type { Tensor } from "../tensor.js";

export function checkSameSize(loss: string, prediction: Tensor, target: Tensor): void {
  if (prediction.size !== target.size) {
    throw new Error(`${loss}: prediction [${prediction.shape.join(", ")}] and target [${target.shape.join(", ")}] differ in size`);
  }
}
