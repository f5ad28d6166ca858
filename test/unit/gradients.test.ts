import { describe, expect, it } from "vitest";
import type { ForwardContext } from "../../src/engine/context.js";
import { activationKernels } from "../../src/engine/ops/activations.js";
import { addBias } from "../../src/engine/ops/add-bias.js";
import { batchNorm } from "../../src/engine/ops/batch-norm.js";
import { dense } from "../../src/engine/ops/dense.js";
import { dropout } from "../../src/engine/ops/dropout.js";
import { matmul } from "../../src/engine/ops/matmul.js";
import { meanAbsoluteError } from "../../src/engine/losses/mean-absolute-error.js";
import { meanSquaredError } from "../../src/engine/losses/mean-squared-error.js";
import { sigmoidBinaryCrossentropy } from "../../src/engine/losses/sigmoid-binary-crossentropy.js";
import { softmaxCrossentropy } from "../../src/engine/losses/softmax-crossentropy.js";
import { sparseSoftmaxCrossentropy } from "../../src/engine/losses/sparse-softmax-crossentropy.js";
import { activation } from "../../src/engine/ops/activations.js";
import { Prng } from "../../src/engine/random.js";
import { backward, makeNode, Tensor } from "../../src/engine/tensor.js";
import type { ActivationName, ModelSpec } from "../../src/engine/types.js";
import { createModel, type NeuralNetwork } from "../../src/engine/model.js";
import { awayFrom, checkGradients, randomShape, randomTensor } from "./helpers/gradient-check.js";

const ACTIVATIONS = Object.keys(activationKernels) as ActivationName[];
const KINKED: Partial<Record<ActivationName, number>> = { relu: 0, leakyRelu: 0, elu: 0 };
const TRIALS = 4;

describe("gradient check (central differences in float64)", () => {
  for (const name of ACTIVATIONS) {
    it(`activation ${name} on random shapes`, () => {
      const rng = new Prng(11);
      for (let trial = 0; trial < TRIALS; trial++) {
        const x = randomTensor(rng, randomShape(rng), true, -3, 3);
        if (KINKED[name] !== undefined) awayFrom(x, KINKED[name]!, 0.05);
        checkGradients(name, ([a]) => activation(a, name), [x]);
      }
    });
  }

  it("the checker itself fails on a wrong gradient", () => {
    const rng = new Prng(10);
    const wrong = (x: Tensor) =>
      makeNode("doubleWithWrongGradient", x.shape, [x], (out) => out.data.forEach((_, i) => (out.data[i] = 2 * x.data[i])), (out) => out.grad!.forEach((g, i) => (x.grad![i] += 3 * g)));
    expect(() => checkGradients("wrong", ([a]) => wrong(a), [randomTensor(rng, [2, 3])])).toThrow(/analytic/);
  });

  it("relu, leakyRelu and elu take the left slope at exactly 0", () => {
    for (const [name, slope] of [["relu", 0], ["leakyRelu", 0.2], ["elu", 1]] as const) {
      const x = Tensor.leaf(new Float32Array([0]), [1, 1], true);
      backward(sumOf(activation(x, name)));
      expect(x.grad![0], name).toBeCloseTo(slope, 6);
    }
  });

  it("softmax with large logits stays finite and its gradient checks", () => {
    const x = Tensor.leaf(new Float32Array([1000, 1001, 998, -1000, 50, 51]), [2, 3], true);
    const y = activation(x, "softmax");
    expect([...y.data].every(Number.isFinite)).toBe(true);
    checkGradients("softmax large", ([a]) => activation(a, "softmax"), [x], { step: 0.05 });
  });

  it("matmul on random shapes", () => {
    const rng = new Prng(12);
    for (let trial = 0; trial < TRIALS; trial++) {
      const [m, k] = randomShape(rng);
      const n = 1 + rng.nextInt(6);
      checkGradients("matmul", ([a, b]) => matmul(a, b), [randomTensor(rng, [m, k]), randomTensor(rng, [k, n])]);
    }
  });

  it("addBias on random shapes", () => {
    const rng = new Prng(13);
    for (let trial = 0; trial < TRIALS; trial++) {
      const [rows, cols] = randomShape(rng);
      checkGradients("addBias", ([x, b]) => addBias(x, b), [randomTensor(rng, [rows, cols]), randomTensor(rng, [cols])]);
    }
  });

  for (const name of ACTIVATIONS) {
    it(`fused dense with ${name}, with and without bias`, () => {
      const rng = new Prng(14);
      for (let trial = 0; trial < TRIALS; trial++) {
        const [rows, inputs] = randomShape(rng, 6, 9);
        const units = 1 + rng.nextInt(7);
        const x = randomTensor(rng, [rows, inputs]);
        const kernel = randomTensor(rng, [inputs, units]);
        const bias = randomTensor(rng, [units]);
        const build = ([a, w, b]: Tensor[]) => dense(a, w, b ?? null, activationKernels[name]);
        // Keep pre-activations off the kinks: nudge the bias when one lands too close.
        if (KINKED[name] !== undefined) nudgeOffKinks(x, kernel, bias);
        checkGradients(`dense ${name}`, build, [x, kernel, bias]);
        if (KINKED[name] === undefined) checkGradients(`dense ${name} no bias`, build, [x, kernel]);
      }
    });
  }

  it("fused dense equals matmul + addBias + activation", () => {
    const rng = new Prng(15);
    const x = randomTensor(rng, [7, 5]);
    const w = randomTensor(rng, [5, 3]);
    const b = randomTensor(rng, [3]);
    const fused = dense(x, w, b, activationKernels.tanh);
    const chain = activation(addBias(matmul(x, w), b), "tanh");
    for (let i = 0; i < fused.size; i++) expect(fused.data[i]).toBeCloseTo(chain.data[i], 6);
  });

  it("dropout with a fixed mask (training) and as the identity (evaluation)", () => {
    const rng = new Prng(16);
    const maskRng = new Prng(99);
    const context: ForwardContext = { training: true, rng: maskRng };
    const saved = maskRng.getState();
    const x = randomTensor(rng, [6, 5]);
    checkGradients("dropout training", ([a]) => dropout(a, 0.4, context), [x], { beforeForward: () => maskRng.setState(saved) });
    context.training = false;
    checkGradients("dropout evaluation", ([a]) => dropout(a, 0.4, context), [x]);
  });

  it("batchNorm with batch statistics (training) and running statistics (evaluation)", () => {
    const rng = new Prng(17);
    for (const training of [true, false]) {
      for (let trial = 0; trial < TRIALS; trial++) {
        const rows = 2 + rng.nextInt(5);
        const cols = 1 + rng.nextInt(5);
        const context: ForwardContext = { training, rng };
        const state = { movingMean: new Float32Array(cols).fill(0.3), movingVariance: new Float32Array(cols).fill(1.7), momentum: 0.9, epsilon: 1e-3 };
        const inputs = [randomTensor(rng, [rows, cols], true, -2, 2), randomTensor(rng, [cols], true, 0.5, 1.5), randomTensor(rng, [cols])];
        checkGradients(`batchNorm ${training ? "training" : "evaluation"}`, ([x, g, b]) => batchNorm(x, g, b, state, context), inputs, { step: 5e-3 });
      }
    }
  });

  it("a whole model: every layer type in one graph, in training mode with a fixed dropout mask", () => {
    const spec: ModelSpec = {
      inputShape: [5],
      layers: [
        { type: "dense", units: 6, activation: "tanh" },
        { type: "batchNorm", momentum: 0.9 },
        { type: "dropout", rate: 0.3 },
        { type: "dense", units: 4, activation: "gelu", useBias: false },
        { type: "activation", activation: "sigmoid" },
        { type: "dense", units: 3, activation: "softmax" },
      ],
    };
    const network = createModel(spec, 3) as NeuralNetwork;
    const rng = new Prng(22);
    const x = randomTensor(rng, [4, 5]);
    const saved = network.context.rng.getState();
    const beforeForward = () => {
      network.context.training = true;
      network.context.rng.setState(saved);
    };
    const weights = network.weights.filter((w) => w.trainable).map((w) => w.tensor);
    checkGradients("model", () => network.buildForward(x, false), [x, ...weights], { beforeForward, maxElementsPerInput: 15 });
  });

  it("meanSquaredError and meanAbsoluteError", () => {
    const rng = new Prng(18);
    for (let trial = 0; trial < TRIALS; trial++) {
      const shape = randomShape(rng);
      const prediction = randomTensor(rng, shape);
      const target = randomTensor(rng, shape, false);
      checkGradients("meanSquaredError", ([p]) => meanSquaredError(p, target), [prediction]);
      for (let i = 0; i < prediction.size; i++) if (Math.abs(prediction.data[i] - target.data[i]) < 0.05) prediction.data[i] += 0.1;
      checkGradients("meanAbsoluteError", ([p]) => meanAbsoluteError(p, target), [prediction]);
    }
  });

  it("binaryCrossentropy fused with sigmoid, including large logits", () => {
    const rng = new Prng(19);
    for (let trial = 0; trial < TRIALS; trial++) {
      const shape = randomShape(rng);
      const target = randomTensor(rng, shape, false, 0, 1);
      checkGradients("binaryCrossentropy", ([z]) => sigmoidBinaryCrossentropy(z, target), [randomTensor(rng, shape, true, -4, 4)]);
    }
    const large = Tensor.leaf(new Float32Array([500, -500, 80, -80]), [4, 1], true);
    const target = Tensor.leaf(new Float32Array([0, 1, 1, 0]), [4, 1]);
    const loss = sigmoidBinaryCrossentropy(large, target);
    expect(loss.data[0]).toBeCloseTo((500 + 500) / 4, 3);
    checkGradients("binaryCrossentropy large", ([z]) => sigmoidBinaryCrossentropy(z, target), [large]);
  });

  it("categoricalCrossentropy fused with softmax: one-hot, soft targets and large logits", () => {
    const rng = new Prng(20);
    for (let trial = 0; trial < TRIALS; trial++) {
      const [rows, cols] = randomShape(rng);
      const soft = randomTensor(rng, [rows, cols], false, 0, 1);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += soft.data[r * cols + j];
        for (let j = 0; j < cols; j++) soft.data[r * cols + j] /= sum;
      }
      checkGradients("categoricalCrossentropy", ([z]) => softmaxCrossentropy(z, soft), [randomTensor(rng, [rows, cols], true, -3, 3)]);
    }
    const logits = Tensor.leaf(new Float32Array([1000, 0, -1000, 3, 2000, 1]), [2, 3], true);
    const oneHot = Tensor.leaf(new Float32Array([0, 1, 0, 0, 1, 0]), [2, 3]);
    const loss = softmaxCrossentropy(logits, oneHot);
    expect(loss.data[0]).toBeCloseTo(500, 2);
    checkGradients("categoricalCrossentropy large", ([z]) => softmaxCrossentropy(z, oneHot), [logits], { step: 0.05 });
  });

  it("categoricalCrossentropy with class-weighted one-hot rows (class weights): w * -log p, and its gradient checks", () => {
    const rng = new Prng(22);
    const weights = [0.5, 3, 1.25];
    for (let trial = 0; trial < TRIALS; trial++) {
      const rows = 2 + Math.floor(rng.nextFloat() * 4);
      const labels = Array.from({ length: rows }, () => Math.floor(rng.nextFloat() * 3));
      const target = Tensor.leaf(Float32Array.from({ length: rows * 3 }, (_, i) => (labels[Math.floor(i / 3)] === i % 3 ? weights[i % 3] : 0)), [rows, 3]);
      const logits = randomTensor(rng, [rows, 3], true, -3, 3);
      const loss = softmaxCrossentropy(logits, target);
      // By hand: the mean over rows of the class weight times -log softmax(z)[class].
      let expected = 0;
      for (let r = 0; r < rows; r++) {
        const z = Array.from(logits.data.subarray(r * 3, r * 3 + 3));
        const lse = Math.log(z.reduce((sum, v) => sum + Math.exp(v), 0));
        expected += weights[labels[r]] * (lse - z[labels[r]]);
      }
      expect(loss.data[0]).toBeCloseTo(expected / rows, 4);
      checkGradients("categoricalCrossentropy weighted", ([z]) => softmaxCrossentropy(z, target), [logits]);
    }
  });

  it("sparseCategoricalCrossentropy equals the one-hot loss, and its gradient checks", () => {
    const rng = new Prng(21);
    for (let trial = 0; trial < TRIALS; trial++) {
      const [rows, cols] = randomShape(rng);
      const labels = Tensor.leaf(Float32Array.from({ length: rows }, () => rng.nextInt(cols)), [rows, 1]);
      const oneHot = Tensor.zeros([rows, cols]);
      labels.data.forEach((label, r) => (oneHot.data[r * cols + label] = 1));
      const logits = randomTensor(rng, [rows, cols], true, -3, 3);
      expect(sparseSoftmaxCrossentropy(logits, labels).data[0]).toBeCloseTo(softmaxCrossentropy(logits, oneHot).data[0], 5);
      checkGradients("sparseCategoricalCrossentropy", ([z]) => sparseSoftmaxCrossentropy(z, labels), [logits]);
    }
  });
});

/** The scalar sum of a 1 x n tensor, as a graph node (x . ones). */
function sumOf(x: Tensor): Tensor {
  return matmul(x, Tensor.leaf(new Float32Array(x.size).fill(1), [x.size, 1]));
}

function nudgeOffKinks(x: Tensor, kernel: Tensor, bias: Tensor): void {
  const [rows, inputs] = x.shape;
  const units = kernel.shape[1];
  for (let attempt = 0; attempt < 20; attempt++) {
    let close = false;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < units; j++) {
        let z = bias.data[j];
        for (let p = 0; p < inputs; p++) z += x.data[r * inputs + p] * kernel.data[p * units + j];
        if (Math.abs(z) < 0.1) {
          bias.data[j] += 0.25;
          close = true;
        }
      }
    }
    if (!close) return;
  }
}
