import { allocateFloats } from "./kernels/kernel-path.js";

/**
 * The autograd core, micrograd-style: a Tensor is a node of a computational
 * graph. Each op builds its output tensor with two closures:
 *   - forward(): recomputes `data` from the inputs' data,
 *   - backward(): adds this node's gradient, pushed through the op, into the inputs' `grad`.
 * Ops run their forward once when they are called (eager), and the graph they
 * build can be re-run on new contents of the same buffers (see Graph). That is
 * how training reuses one graph per batch size without allocating per batch.
 */
export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  /** Gradient of the graph's output with respect to this tensor; null if none is needed. */
  grad: Float32Array | null;
  readonly inputs: readonly Tensor[];
  readonly op: string;
  forwardFn: (() => void) | null = null;
  backwardFn: (() => void) | null = null;

  constructor(data: Float32Array, shape: readonly number[], op = "leaf", inputs: readonly Tensor[] = [], requiresGrad = false) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`${op}: data of length ${data.length} does not fit shape [${shape.join(", ")}]`);
    this.data = data;
    this.shape = shape;
    this.op = op;
    this.inputs = inputs;
    this.grad = requiresGrad ? allocateFloats(size) : null;
  }

  get size(): number {
    return this.data.length;
  }

  get requiresGrad(): boolean {
    return this.grad !== null;
  }

  /** A leaf: input data, targets (no gradient) or weights (`requiresGrad`). */
  static leaf(data: Float32Array, shape: readonly number[], requiresGrad = false): Tensor {
    return new Tensor(data, shape, "leaf", [], requiresGrad);
  }

  static zeros(shape: readonly number[], requiresGrad = false): Tensor {
    return Tensor.leaf(allocateFloats(shape.reduce((a, b) => a * b, 1)), shape, requiresGrad);
  }
}

/**
 * Builds an op's output node. It needs a gradient if any input does; `forward`
 * runs once right away so that ops can be used eagerly.
 */
export function makeNode(op: string, shape: readonly number[], inputs: readonly Tensor[], forward: (out: Tensor) => void, backward: (out: Tensor) => void): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Tensor(allocateFloats(size), shape, op, inputs, inputs.some((t) => t.requiresGrad));
  out.forwardFn = () => forward(out);
  if (out.requiresGrad) out.backwardFn = () => backward(out);
  forward(out);
  return out;
}

/** Inputs before outputs. Iterative depth-first search, so deep graphs cannot overflow the stack. */
export function topologicalOrder(outputs: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: { node: Tensor; next: number }[] = [];
  for (const root of outputs) {
    if (visited.has(root)) continue;
    visited.add(root);
    stack.push({ node: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.node.inputs.length) {
        const child = top.node.inputs[top.next++];
        if (!visited.has(child)) {
          visited.add(child);
          stack.push({ node: child, next: 0 });
        }
      } else {
        order.push(top.node);
        stack.pop();
      }
    }
  }
  return order;
}

/**
 * A graph compiled once and re-run many times over the same buffers: forward()
 * recomputes every node from the leaves' current data, backward() pushes the
 * gradient of the loss back to every leaf that requires one.
 */
export class Graph {
  readonly order: readonly Tensor[];
  private readonly backwardOrder: readonly Tensor[];
  private readonly intermediates: readonly Tensor[];

  /** `outputs` are computed by forward(); `loss` (one of them, or upstream of them) is what backward() differentiates. */
  constructor(outputs: readonly Tensor[], readonly loss: Tensor | null = null) {
    this.order = topologicalOrder(loss ? [...outputs, loss] : outputs);
    // Only nodes the loss depends on take part in backward, last first.
    this.backwardOrder = loss ? topologicalOrder([loss]).reverse() : [];
    this.intermediates = this.backwardOrder.filter((t) => t.inputs.length > 0 && t.grad !== null);
  }

  forward(): void {
    for (const node of this.order) node.forwardFn?.();
  }

  /**
   * Seeds d(loss)/d(loss) = 1 and runs the backward closures in reverse
   * topological order. Intermediate gradients are reset first; leaves'
   * gradients accumulate (the optimizer resets them after each step).
   */
  backward(): void {
    const loss = this.loss;
    if (loss === null || loss.size !== 1 || loss.grad === null) throw new Error("backward: the loss must be a scalar that depends on a weight");
    for (const node of this.intermediates) node.grad!.fill(0);
    loss.grad[0] = 1;
    for (const node of this.backwardOrder) node.backwardFn?.();
  }
}

/** One-shot backward, micrograd's `loss.backward()`: builds the graph and runs it once. */
export function backward(lossNode: Tensor): void {
  new Graph([], lossNode).backward();
}
