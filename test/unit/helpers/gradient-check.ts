import { expect } from "vitest";
import { Prng } from "../../../src/engine/random.js";
import { Graph, makeNode, Tensor } from "../../../src/engine/tensor.js";

/**
 * The one gradient check every op, layer and loss goes through.
 *
 * The op's output is reduced to a scalar L = sum(w_i * out_i) with fixed random
 * weights w (so every output element matters), the analytic gradient comes from
 * the graph's backward pass, and the numeric one from central differences,
 * (L(x + h) - L(x - h)) / (2h), with L summed in float64. The perturbation is
 * measured on the float32 values actually stored, not assumed to be 2h.
 */
export interface GradientCheckOptions {
  /** Runs before every forward pass, e.g. to reset a dropout mask's PRNG. */
  beforeForward?: () => void;
  /** Step of the central difference (default 1e-2). */
  step?: number;
  /** Allowed error: |analytic - numeric| <= absolute + relative * |numeric|. */
  absolute?: number;
  relative?: number;
  /** Elements checked per input at most (chosen at random past that). */
  maxElementsPerInput?: number;
}

export function checkGradients(name: string, build: (inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradientCheckOptions = {}): void {
  const { beforeForward, step = 1e-2, absolute = 2e-3, relative = 1e-2, maxElementsPerInput = 40 } = options;
  beforeForward?.();
  const output = build(inputs);
  const rng = new Prng(1234);
  const projectionWeights = Float64Array.from({ length: output.size }, () => rng.nextFloat() * 2 - 1);
  const projection = makeNode(
    "projection",
    [],
    [output],
    (out) => {
      out.data[0] = project(output.data, projectionWeights);
    },
    (out) => {
      for (let i = 0; i < output.size; i++) output.grad![i] += out.grad![0] * projectionWeights[i];
    },
  );
  const graph = new Graph([], projection);
  const evaluate = (): number => {
    beforeForward?.();
    graph.forward();
    return project(output.data, projectionWeights);
  };

  for (const input of inputs) input.grad?.fill(0);
  beforeForward?.();
  graph.forward();
  graph.backward();

  inputs.forEach((input, inputIndex) => {
    if (input.grad === null) return;
    const analytic = input.grad.slice();
    for (const i of elementsToCheck(input.size, maxElementsPerInput, rng)) {
      const original = input.data[i];
      input.data[i] = original + step;
      const up = input.data[i];
      const lossUp = evaluate();
      input.data[i] = original - step;
      const down = input.data[i];
      const lossDown = evaluate();
      input.data[i] = original;
      const numeric = (lossUp - lossDown) / (up - down);
      const error = Math.abs(analytic[i] - numeric);
      const allowed = absolute + relative * Math.abs(numeric);
      if (error > allowed) {
        expect.fail(`${name}: d/d input ${inputIndex} [${i}] (value ${original}): analytic ${analytic[i]}, numeric ${numeric}`);
      }
    }
  });
  evaluate(); // leave the outputs as they were for the unperturbed inputs
}

function project(values: Float32Array, weights: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += weights[i] * values[i];
  return sum;
}

function elementsToCheck(size: number, max: number, rng: Prng): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (size <= max) return all;
  rng.shuffle(all);
  return all.slice(0, max);
}

/** A leaf of the given shape filled with uniform values in [low, high), optionally needing a gradient. */
export function randomTensor(rng: Prng, shape: number[], requiresGrad = true, low = -1, high = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: size }, () => low + (high - low) * rng.nextFloat());
  return Tensor.leaf(data, shape, requiresGrad);
}

/** Moves values closer than `margin` to a kink (e.g. relu at 0) out of the finite difference's reach. */
export function awayFrom(tensor: Tensor, kink: number, margin: number): Tensor {
  for (let i = 0; i < tensor.size; i++) {
    const d = tensor.data[i] - kink;
    if (Math.abs(d) < margin) tensor.data[i] = kink + (d < 0 ? -margin : margin) * 1.5;
  }
  return tensor;
}

/** Random small shapes: [rows, cols] with rows in 1..maxRows, cols in 1..maxCols. */
export function randomShape(rng: Prng, maxRows = 5, maxCols = 6): [number, number] {
  return [1 + rng.nextInt(maxRows), 1 + rng.nextInt(maxCols)];
}
