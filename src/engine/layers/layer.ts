import type { ForwardContext } from "../context.js";
import type { WeightInitializer } from "../initializers.js";
import type { Tensor } from "../tensor.js";
import type { LayerSpec } from "../types.js";

/** A weight a layer owns, before it is allocated. */
export interface WeightDefinition {
  /** Short name within the layer: "kernel", "bias", "gamma", ... */
  name: string;
  shape: number[];
  /** Non-trainable weights (batchNorm's running statistics) are saved but get no gradient. */
  trainable: boolean;
  initializer: WeightInitializer;
  fanIn: number;
  fanOut: number;
}

/**
 * What the model needs from each kind of layer. `outputShape` and `weights`
 * work on shapes only (the API validates specs with them, nothing is allocated);
 * `apply` adds the layer's ops to a graph.
 */
export interface LayerKind<S extends LayerSpec> {
  /** Checks the layer's own fields (throws SpecError) and returns its output shape. */
  outputShape(spec: S, inputShape: number[], index: number): number[];
  weights(spec: S, inputShape: number[]): WeightDefinition[];
  /**
   * `weights` come in the order of weights(). With `withoutFinalActivation` the
   * layer leaves out its activation (the loss applies it, fused). `frozen`
   * layers (transfer learning) get no weight update; batchNorm also keeps its statistics.
   */
  apply(spec: S, x: Tensor, weights: Tensor[], context: ForwardContext, withoutFinalActivation: boolean, frozen: boolean): Tensor;
}

export function flatSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
