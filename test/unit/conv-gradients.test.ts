import { describe, expect, it } from "vitest";
import type { ForwardContext } from "../../src/engine/context.js";
import { createModel, type NeuralNetwork } from "../../src/engine/model.js";
import { activation, activationKernels } from "../../src/engine/ops/activations.js";
import { avgPool2d } from "../../src/engine/ops/avg-pool2d.js";
import { batchNorm } from "../../src/engine/ops/batch-norm.js";
import { conv2d } from "../../src/engine/ops/conv2d.js";
import { flatten } from "../../src/engine/ops/flatten.js";
import { globalAveragePooling2d } from "../../src/engine/ops/global-average-pooling2d.js";
import { maxPool2d } from "../../src/engine/ops/max-pool2d.js";
import { window2d, type Window2d } from "../../src/engine/ops/window2d.js";
import { Prng } from "../../src/engine/random.js";
import { Graph, makeNode, Tensor } from "../../src/engine/tensor.js";
import type { ModelSpec, Padding } from "../../src/engine/types.js";
import { checkGradients, randomTensor } from "./helpers/gradient-check.js";

const CASES: { padding: Padding; stride: number }[] = [
  { padding: "valid", stride: 1 },
  { padding: "same", stride: 1 },
  { padding: "valid", stride: 2 },
  { padding: "same", stride: 2 },
];

/** A naive direct convolution in float64: the trusted reference. */
function referenceConv(x: Tensor, kernel: Tensor, bias: Tensor | null, w: Window2d): Float64Array {
  const [batch] = x.shape;
  const filters = kernel.shape[3];
  const out = new Float64Array(batch * w.outHeight * w.outWidth * filters);
  for (let n = 0; n < batch; n++)
    for (let oy = 0; oy < w.outHeight; oy++)
      for (let ox = 0; ox < w.outWidth; ox++)
        for (let f = 0; f < filters; f++) {
          let sum = bias ? bias.data[f] : 0;
          for (let ky = 0; ky < w.kernelHeight; ky++)
            for (let kx = 0; kx < w.kernelWidth; kx++) {
              const iy = oy * w.strideHeight - w.padTop + ky;
              const ix = ox * w.strideWidth - w.padLeft + kx;
              if (iy < 0 || iy >= w.inHeight || ix < 0 || ix >= w.inWidth) continue;
              for (let c = 0; c < w.channels; c++) sum += x.data[((n * w.inHeight + iy) * w.inWidth + ix) * w.channels + c] * kernel.data[((ky * w.kernelWidth + kx) * w.channels + c) * filters + f];
            }
          out[((n * w.outHeight + oy) * w.outWidth + ox) * filters + f] = sum;
        }
  return out;
}

/** Values spaced at least `gap` apart, in random order: no near-ties for max pooling's finite differences. */
function distinctTensor(rng: Prng, shape: number[], gap = 0.05): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, i) => (i - size / 2) * gap);
  rng.shuffle(values);
  return Tensor.leaf(Float32Array.from(values), shape, true);
}

describe("image ops: forward against a reference, gradients by central differences", () => {
  for (const { padding, stride } of CASES) {
    it(`conv2d, padding ${padding}, stride ${stride}: forward equals a direct convolution`, () => {
      const rng = new Prng(30 + stride);
      for (const [h, wd, c, kh, kw, f] of [[7, 6, 2, 3, 3, 4], [5, 8, 3, 2, 3, 5], [4, 4, 1, 4, 1, 2]]) {
        const window = window2d([h, wd, c], [kh, kw], [stride, stride], padding);
        const x = randomTensor(rng, [2, h, wd, c]);
        const kernel = randomTensor(rng, [kh, kw, c, f]);
        const bias = randomTensor(rng, [f]);
        const out = conv2d(x, kernel, bias, window);
        expect(out.shape).toEqual([2, window.outHeight, window.outWidth, f]);
        const expected = referenceConv(x, kernel, bias, window);
        for (let i = 0; i < expected.length; i++) expect(out.data[i]).toBeCloseTo(expected[i], 5);
      }
    });

    it(`conv2d, padding ${padding}, stride ${stride}: gradients of input, kernel and bias (linear and tanh)`, () => {
      const rng = new Prng(40 + stride);
      for (const [h, wd, c, kh, kw, f] of [[6, 5, 2, 3, 3, 3], [5, 5, 3, 2, 2, 2], [3, 4, 1, 3, 2, 4]]) {
        const window = window2d([h, wd, c], [kh, kw], [stride, stride], padding);
        const inputs = [randomTensor(rng, [2, h, wd, c]), randomTensor(rng, [kh, kw, c, f]), randomTensor(rng, [f])];
        for (const name of ["linear", "tanh"] as const) {
          checkGradients(`conv2d ${padding} ${stride} ${name}`, ([x, k, b]) => conv2d(x, k, b, window, activationKernels[name]), inputs);
        }
        checkGradients(`conv2d ${padding} ${stride} no bias`, ([x, k]) => conv2d(x, k, null, window), inputs.slice(0, 2));
      }
    });

    it(`maxPool2d and avgPool2d, padding ${padding}, stride ${stride}`, () => {
      const rng = new Prng(50 + stride);
      for (const [h, wd, c, ph, pw] of [[6, 5, 2, 2, 2], [5, 7, 3, 3, 2], [4, 4, 1, 3, 3]]) {
        const window = window2d([h, wd, c], [ph, pw], [stride, stride], padding);
        checkGradients(`maxPool2d ${padding} ${stride}`, ([x]) => maxPool2d(x, window), [distinctTensor(rng, [2, h, wd, c])]);
        checkGradients(`avgPool2d ${padding} ${stride}`, ([x]) => avgPool2d(x, window), [randomTensor(rng, [2, h, wd, c])]);
      }
    });
  }

  it("conv2d with a large kernel matrix (the packed GEMM path): forward and gradients", () => {
    const rng = new Prng(45);
    for (const padding of ["valid", "same"] as const) {
      const window = window2d([5, 4, 24], [3, 3], [1, 2], padding); // 3*3*24 x 20 = 4320 kernel values
      const inputs = [randomTensor(rng, [2, 5, 4, 24]), randomTensor(rng, [3, 3, 24, 20], true, -0.2, 0.2), randomTensor(rng, [20])];
      const out = conv2d(inputs[0], inputs[1], inputs[2], window);
      const expected = referenceConv(inputs[0], inputs[1], inputs[2], window);
      for (let i = 0; i < expected.length; i++) expect(out.data[i]).toBeCloseTo(expected[i], 4);
      checkGradients(`conv2d large ${padding}`, ([x, k, b]) => conv2d(x, k, b, window, activationKernels.tanh), inputs, { maxElementsPerInput: 20 });
    }
  });

  it("conv2d with relu fused into the kernel equals conv2d followed by the relu op, forward and backward", () => {
    const rng = new Prng(46);
    const window = window2d([6, 6, 2], [3, 3], [1, 1], "same");
    const x = randomTensor(rng, [3, 6, 6, 2]);
    const kernel = randomTensor(rng, [3, 3, 2, 9]);
    const bias = randomTensor(rng, [9]);
    const fused = conv2d(x, kernel, bias, window, activationKernels.relu);
    const chain = activation(conv2d(x, kernel, bias, window), "relu");
    expect(fused.data).toEqual(chain.data);
    const gradients = (out: Tensor) => {
      for (const t of [x, kernel, bias]) t.grad!.fill(0);
      const upstream = randomTensor(new Prng(47), [...out.shape], false);
      const projected = makeNode("project", [], [out], (o) => void (o.data[0] = 0), () => out.grad!.set(upstream.data));
      new Graph([], projected).backward();
      return [x, kernel, bias].map((t) => t.grad!.slice());
    };
    expect(gradients(fused)).toEqual(gradients(chain));
  });

  it("pooling forward: the max of each window, the mean of its values inside the image", () => {
    // One 3 x 3 channel: 1..9, pooled 2 x 2, stride 2, same padding -> windows {1,2,4,5}, {3,6}, {7,8}, {9}.
    const x = Tensor.leaf(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 3, 3, 1]);
    const window = window2d([3, 3, 1], [2, 2], [2, 2], "same");
    expect([...maxPool2d(x, window).data]).toEqual([5, 6, 8, 9]);
    expect([...avgPool2d(x, window).data]).toEqual([3, 4.5, 7.5, 9]);
  });

  it("flatten and globalAveragePooling2d", () => {
    const rng = new Prng(60);
    const x = randomTensor(rng, [3, 4, 5, 2]);
    const flat = flatten(x);
    expect(flat.shape).toEqual([3, 40]);
    expect(flat.data).toEqual(x.data);
    checkGradients("flatten", ([a]) => flatten(a), [x]);
    const pooled = globalAveragePooling2d(x);
    expect(pooled.shape).toEqual([3, 2]);
    let sum = 0;
    for (let p = 0; p < 20; p++) sum += x.data[p * 2 + 1];
    expect(pooled.data[1]).toBeCloseTo(sum / 20, 6);
    checkGradients("globalAveragePooling2d", ([a]) => globalAveragePooling2d(a), [x]);
  });

  it("batchNorm on images normalises per channel; frozen, it uses and keeps the running statistics", () => {
    const rng = new Prng(61);
    const context: ForwardContext = { training: true, rng };
    const state = () => ({ movingMean: new Float32Array([0.3, -0.2, 0.1]), movingVariance: new Float32Array([1.7, 0.8, 1.1]), momentum: 0.9, epsilon: 1e-3 });
    const inputs = [randomTensor(rng, [2, 3, 2, 3], true, -2, 2), randomTensor(rng, [3], true, 0.5, 1.5), randomTensor(rng, [3])];
    const live = state();
    checkGradients("batchNorm per channel", ([x, g, b]) => batchNorm(x, g, b, live, context), inputs, { step: 5e-3 });
    const frozen = { ...state(), frozen: true };
    checkGradients("batchNorm frozen", ([x, g, b]) => batchNorm(x, g, b, frozen, context), inputs, { step: 5e-3 });
    expect([...frozen.movingMean]).toEqual([...state().movingMean]);
    expect([...frozen.movingVariance]).toEqual([...state().movingVariance]);
  });

  it("a whole CNN: conv, batchNorm, pooling, flatten, dense in one graph", () => {
    const spec: ModelSpec = {
      inputShape: [6, 6, 2],
      layers: [
        { type: "conv2d", filters: 3, kernelSize: 3, padding: "same", activation: "tanh" },
        { type: "batchNorm", momentum: 0.9 },
        { type: "avgPool2d", poolSize: 2 },
        { type: "conv2d", filters: 4, kernelSize: 2, strides: 2, activation: "sigmoid" },
        { type: "flatten" },
        { type: "dense", units: 3, activation: "softmax" },
      ],
    };
    const network = createModel(spec, 3) as NeuralNetwork;
    const x = randomTensor(new Prng(62), [2, 6, 6, 2]);
    const weights = network.weights.filter((w) => w.trainable).map((w) => w.tensor);
    const beforeForward = () => void (network.context.training = true);
    checkGradients("cnn", () => network.buildForward(x, false), [x, ...weights], { beforeForward, maxElementsPerInput: 15 });
  });
});
