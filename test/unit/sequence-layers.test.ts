import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { summarizeModel, type ModelSpec } from "../../src/engine/index.js";
import { activationKernels } from "../../src/engine/ops/activations.js";
import { conv1d } from "../../src/engine/ops/conv1d.js";
import { window1d } from "../../src/engine/ops/window1d.js";
import { layerKindOf, type SingleInputSpec } from "../../src/engine/layers/layer-kinds.js";
import { Prng } from "../../src/engine/random.js";
import type { Tensor } from "../../src/engine/tensor.js";
import type { LayerSpec } from "../../src/engine/types.js";
import { awayFrom, checkGradients, randomTensor } from "./helpers/gradient-check.js";
import { specError } from "./helpers/spec-error.js";
import { tfjsParity } from "./helpers/tfjs-parity.js";

/** A 1-D convolution written out directly, in float64. */
function directConv1d(x: Tensor, kernel: Tensor, bias: Tensor, stride: number, dilation: number, padding: "valid" | "same"): number[] {
  const [batch, steps, channels] = x.shape;
  const [k, , filters] = kernel.shape;
  const window = window1d(steps, k, stride, dilation, padding);
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < window.outSteps; t++) {
      for (let f = 0; f < filters; f++) {
        let sum = bias.data[f];
        for (let j = 0; j < k; j++) {
          const step = t * stride + j * dilation - window.padBefore;
          if (step < 0 || step >= steps) continue;
          for (let c = 0; c < channels; c++) sum += x.data[(b * steps + step) * channels + c] * kernel.data[(j * channels + c) * filters + f];
        }
        out.push(sum);
      }
    }
  }
  return out;
}

const shapes: [string, { stride: number; dilation: number; padding: "valid" | "same" }][] = [
  ["valid", { stride: 1, dilation: 1, padding: "valid" }],
  ["same, stride 2", { stride: 2, dilation: 1, padding: "same" }],
  ["valid, dilation 2", { stride: 1, dilation: 2, padding: "valid" }],
  ["same, dilation 3", { stride: 1, dilation: 3, padding: "same" }],
];

describe("conv1d", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  for (const [name, { stride, dilation, padding }] of shapes) {
    it(`${name}: forward equals a direct convolution, and gradients of input, kernel and bias pass finite differences`, () => {
      const rng = new Prng(61);
      const x = randomTensor(rng, [2, 9, 3]);
      const kernel = randomTensor(rng, [3, 3, 4]);
      const bias = randomTensor(rng, [4]);
      const window = window1d(9, 3, stride, dilation, padding);
      const ours = conv1d(x, kernel, bias, window);
      expect(ours.shape).toEqual([2, window.outSteps, 4]);
      directConv1d(x, kernel, bias, stride, dilation, padding).forEach((v, i) => expect(ours.data[i]).toBeCloseTo(v, 5));
      checkGradients(`conv1d ${name}`, ([a, w, b]) => conv1d(a, w, b, window), [x, kernel, bias]);
      checkGradients(`conv1d ${name} tanh`, ([a, w, b]) => conv1d(a, w, b, window, activationKernels.tanh), [x, kernel, bias]);
    });
  }

  it("pooling over steps: gradients by finite differences, and the shapes they infer", () => {
    const rng = new Prng(62);
    const layers: SingleInputSpec[] = [
      { type: "maxPool1d", poolSize: 2 },
      { type: "avgPool1d", poolSize: 3, strides: 2, padding: "same" },
      { type: "globalAveragePooling1d" },
      { type: "globalMaxPooling1d" },
    ];
    const context = { training: true, rng: new Prng(0) };
    for (const spec of layers) {
      // Values kept apart so that no max is a tie, where the max's gradient is undefined.
      const x = randomTensor(rng, [2, 7, 3]);
      awayFrom(x, 0, 0);
      for (let i = 0; i < x.size; i++) x.data[i] += i * 0.013;
      checkGradients(spec.type, ([a]) => layerKindOf(spec).apply(spec, a, [], context, false, false), [x]);
    }
    const summaries = summarizeModel({ inputShape: [7, 3], layers: [{ type: "maxPool1d", poolSize: 2 }, { type: "avgPool1d", poolSize: 3, strides: 2, padding: "same" }, { type: "globalMaxPooling1d" }] });
    expect(summaries.map((s) => s.outputShape)).toEqual([[3, 3], [2, 3], [3]]);
  });

  it("refuses what cannot work, naming the field", () => {
    const seq = (layer: LayerSpec, inputShape = [10, 2]): ModelSpec => ({ inputShape, layers: [layer] });
    const cases: [ModelSpec, string, RegExp][] = [
      [seq({ type: "conv1d", filters: 2, kernelSize: 3 }, [10]), "/model/layers/0", /needs a sequence input \[steps, channels\], got \[10\]; declare the dataset's inputShape/],
      [seq({ type: "conv1d", filters: 2, kernelSize: 4, dilation: 4 }), "/model/layers/0/kernelSize", /a window spanning 13 steps does not fit the 10 steps/],
      [seq({ type: "conv1d", filters: 2, kernelSize: 3, strides: 2, dilation: 2 }), "/model/layers/0/dilation", /cannot both be above 1/],
      [seq({ type: "maxPool1d", poolSize: 11 }), "/model/layers/0/poolSize", /does not fit/],
      [seq({ type: "globalAveragePooling1d" }, [4, 4, 1]), "/model/layers/0", /needs a sequence input/],
    ];
    for (const [spec, path, message] of cases) {
      const error = specError(() => summarizeModel(spec));
      expect([error.path, error.message], JSON.stringify(spec.layers)).toEqual([path, expect.stringMatching(message)]);
    }
    // A dilated kernel that spans exactly the input gives one step.
    expect(summarizeModel(seq({ type: "conv1d", filters: 2, kernelSize: 4, dilation: 3 }))[0].outputShape).toEqual([1, 2]);
  });

  it("matches TensorFlow.js's Conv1D and pooling layers on the same weights: outputs, one SGD step's loss, outputs after it", async () => {
    const head: LayerSpec = { type: "dense", units: 3, activation: "softmax" };
    const cases: [ModelSpec, boolean][] = [
      [{ inputShape: [12, 3], layers: [{ type: "conv1d", filters: 5, kernelSize: 3, activation: "relu" }, { type: "maxPool1d", poolSize: 2 }, { type: "globalAveragePooling1d" }, head] }, true],
      // avgPool1d "valid" here: tfjs 4.22's average-pooling gradient with "same" padding divides the edge windows by the
      // full window size while its forward divides by the values inside (measured: grad 3666.7 where finite differences
      // of its own forward give 5333.3), so a training step cannot agree there; ours passes finite differences (above).
      [{ inputShape: [12, 3], layers: [{ type: "conv1d", filters: 4, kernelSize: 4, strides: 2, padding: "same", activation: "leakyRelu" }, { type: "avgPool1d", poolSize: 3, strides: 1 }, { type: "globalMaxPooling1d" }, head] }, true],
      [{ inputShape: [12, 3], layers: [{ type: "avgPool1d", poolSize: 3, strides: 2, padding: "same" }, { type: "flatten" }, head] }, true],
      // tfjs 4.22 has no gradient for dilated convolutions ("dilation rates greater than 1 are not yet supported"): outputs only.
      [{ inputShape: [12, 2], layers: [{ type: "conv1d", filters: 4, kernelSize: 3, dilation: 2, padding: "same", activation: "tanh" }, { type: "layerNormalization" }, { type: "flatten" }, head] }, false],
    ];
    for (const [spec, step] of cases) {
      const report = await tfjsParity(spec, { classes: 3, step });
      console.log(`sequence layers vs tfjs, ${JSON.stringify(spec.layers[0])}: ${JSON.stringify(report)}`);
      expect(report.forward).toBeLessThan(1e-5);
      if (!step) continue;
      expect(report.loss).toBeLessThan(1e-4);
      expect(report.afterStep).toBeLessThan(1e-5);
    }
  });
});
