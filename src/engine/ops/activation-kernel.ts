import { addInto } from "../kernels/elementwise.js";
import { allocateFloats } from "../kernels/kernel-path.js";
import { makeNode, type Tensor } from "../tensor.js";

/**
 * An elementwise (or, for softmax, row-wise) activation as two plain loops.
 * The standalone activation op and the fused dense op share these kernels.
 */
export interface ActivationKernel {
  readonly name: string;
  /** y = f(z) over `rows` rows of `cols` values. */
  forward(z: Float32Array, y: Float32Array, rows: number, cols: number): void;
  /** dz = dy * f'(z), written (not added). Kernels may read z, y or both. */
  backward(z: Float32Array, y: Float32Array, dy: Float32Array, dz: Float32Array, rows: number, cols: number): void;
}

/** Shape of x as rows x cols, the last axis being the features. */
export function rowsAndCols(shape: readonly number[]): [number, number] {
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  const size = shape.reduce((a, b) => a * b, 1);
  return [cols === 0 ? 0 : size / cols, cols];
}

/** Wraps an activation kernel as a graph op. */
export function activationOp(x: Tensor, kernel: ActivationKernel): Tensor {
  const [rows, cols] = rowsAndCols(x.shape);
  let scratch: Float32Array | null = null;
  return makeNode(
    kernel.name,
    x.shape,
    [x],
    (out) => kernel.forward(x.data, out.data, rows, cols),
    (out) => {
      scratch ??= allocateFloats(x.size);
      kernel.backward(x.data, out.data, out.grad!, scratch, rows, cols);
      if (x.grad !== null) addInto(x.grad, scratch, scratch.length);
    },
  );
}
