import { describe, expect, it } from "vitest";
import { addBias } from "../../src/engine/ops/add-bias.js";
import { matmul } from "../../src/engine/ops/matmul.js";
import { backward, Graph, Tensor, topologicalOrder } from "../../src/engine/tensor.js";

describe("autograd core", () => {
  it("orders a graph inputs-first and visits a shared node once", () => {
    const x = Tensor.leaf(new Float32Array([1, 2]), [1, 2], true);
    const w = Tensor.leaf(new Float32Array([3, 4]), [2, 1], true);
    const y = matmul(x, w);
    const z = addBias(y, Tensor.leaf(new Float32Array([1]), [1], true));
    const order = topologicalOrder([z]);
    expect(order.indexOf(x)).toBeLessThan(order.indexOf(y));
    expect(order.indexOf(y)).toBeLessThan(order.indexOf(z));
    expect(new Set(order).size).toBe(order.length);
  });

  it("accumulates the gradient of a tensor used twice", () => {
    const x = Tensor.leaf(new Float32Array([2]), [1, 1], true);
    const square = matmul(x, x); // d(x^2)/dx = 2x
    backward(square);
    expect(x.grad![0]).toBe(4);
  });

  it("walks a 20,000-op chain without overflowing the stack", () => {
    const bias = Tensor.leaf(new Float32Array([1]), [1], true);
    let node = Tensor.leaf(new Float32Array([0]), [1, 1], true);
    const start = node;
    for (let i = 0; i < 20_000; i++) node = addBias(node, bias);
    expect(node.data[0]).toBe(20_000);
    backward(node);
    expect(bias.grad![0]).toBe(20_000);
    expect(start.grad![0]).toBe(1);
  });

  it("re-runs a compiled graph on new leaf contents", () => {
    const x = Tensor.leaf(new Float32Array([1, 1]), [1, 2]);
    const w = Tensor.leaf(new Float32Array([2, 3]), [2, 1], true);
    const y = matmul(x, w);
    const graph = new Graph([y], y);
    x.data.set([10, 100]);
    graph.forward();
    expect(y.data[0]).toBe(320);
    graph.backward();
    expect([...w.grad!]).toEqual([10, 100]);
  });
});
