import { describe, expect, it } from "vitest";
import { Augmenter } from "../../src/engine/augmentation/augmenter.js";
import { rotateImage } from "../../src/engine/augmentation/image-transforms.js";
import { checkSpecFitsData, createModel, exportWeights, fit, SpecError, type ModelSpec, type TrainingConfig, type TrainingData } from "../../src/engine/index.js";
import { Prng } from "../../src/engine/random.js";
import { mnistSplit } from "./helpers/datasets.js";

const [H, W, C] = [6, 7, 2];
const pixel = (images: Float32Array, r: number, y: number, x: number, c: number) => images[((r * H + y) * W + x) * C + c];

function randomImages(rows: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  return Float32Array.from({ length: rows * H * W * C }, () => 0.1 + rng.nextFloat());
}

const cnn: ModelSpec = {
  inputShape: [28, 28, 1],
  layers: [{ type: "conv2d", filters: 4, kernelSize: 3, activation: "relu" }, { type: "maxPool2d", poolSize: 2 }, { type: "flatten" }, { type: "dense", units: 10, activation: "softmax" }],
};
const base: TrainingConfig = { epochs: 2, batchSize: 32, seed: 3, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 3e-3 } };

function subset(data: TrainingData, count: number): TrainingData {
  const size = data.x.length / data.numSamples;
  return { x: data.x.slice(0, count * size), y: data.y.slice(0, count), numSamples: count };
}

describe("data augmentation", () => {
  it("shifted images are exactly the input moved by the drawn offsets, zeros coming in", () => {
    const rows = 40;
    const input = randomImages(rows, 1);
    const batch = input.slice();
    const augmenter = new Augmenter({ shift: 3 }, [H, W, C], rows);
    augmenter.apply(batch, rows, new Prng(2));
    const { dy, dx } = augmenter.drawn;
    expect(new Set(dy).size).toBeGreaterThan(3);
    for (let r = 0; r < rows; r++) {
      expect(Math.abs(dy[r])).toBeLessThanOrEqual(3);
      expect(Math.abs(dx[r])).toBeLessThanOrEqual(3);
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          for (let c = 0; c < C; c++) {
            const [sy, sx] = [y - dy[r], x - dx[r]];
            const expected = sy >= 0 && sy < H && sx >= 0 && sx < W ? pixel(input, r, sy, sx, c) : 0;
            expect(pixel(batch, r, y, x, c)).toBe(expected);
          }
    }
  });

  it("horizontal flips mirror exactly the rows drawn, about half of them", () => {
    const rows = 64;
    const input = randomImages(rows, 3);
    const batch = input.slice();
    const augmenter = new Augmenter({ horizontalFlip: true }, [H, W, C], rows);
    augmenter.apply(batch, rows, new Prng(4));
    const flipped = augmenter.drawn.flipped.reduce((a, b) => a + b, 0);
    expect(flipped).toBeGreaterThan(16);
    expect(flipped).toBeLessThan(48);
    for (let r = 0; r < rows; r++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          for (let c = 0; c < C; c++) expect(pixel(batch, r, y, x, c)).toBe(pixel(input, r, y, augmenter.drawn.flipped[r] ? W - 1 - x : x, c));
  });

  it("rotation: 0 is the identity, a quarter turn moves pixels where they belong, angles stay within the bound", () => {
    const n = 5;
    const square = Float32Array.from({ length: n * n }, (_, i) => i + 1);
    const out = new Float32Array(n * n);
    rotateImage(square, 0, out, 0, n, n, 1, 0);
    expect(out).toEqual(square);
    rotateImage(square, 0, out, 0, n, n, 1, Math.PI / 2);
    // A quarter turn clockwise on screen: the bottom-left corner comes to the top-left, out[y][x] = in[n - 1 - x][y].
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) expect(out[y * n + x]).toBeCloseTo(square[(n - 1 - x) * n + y], 4);
    const augmenter = new Augmenter({ rotation: 15 }, [H, W, C], 50);
    augmenter.apply(randomImages(50, 5), 50, new Prng(6));
    for (const radians of augmenter.drawn.radians) expect(Math.abs(radians)).toBeLessThanOrEqual((15 * Math.PI) / 180);
  });

  it("gaussian noise has the configured standard deviation, on images and on tabular rows", () => {
    const rows = 100;
    const batch = new Float32Array(rows * 50);
    new Augmenter({ noise: 0.3 }, [50], rows).apply(batch, rows, new Prng(7));
    const mean = batch.reduce((a, b) => a + b, 0) / batch.length;
    const std = Math.sqrt(batch.reduce((a, b) => a + (b - mean) ** 2, 0) / batch.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(std).toBeGreaterThan(0.28);
    expect(std).toBeLessThan(0.32);
  });

  it("the same seed gives the same batches; fit with augmentation is deterministic and reports what ran", async () => {
    const config = { shift: 2, horizontalFlip: true, rotation: 10, noise: 0.05 };
    const [a, b] = [randomImages(20, 8), randomImages(20, 8)];
    new Augmenter(config, [H, W, C], 20).apply(a, 20, new Prng(9));
    new Augmenter(config, [H, W, C], 20).apply(b, 20, new Prng(9));
    expect(a).toEqual(b);
    const c = randomImages(20, 8);
    new Augmenter(config, [H, W, C], 20).apply(c, 20, new Prng(10));
    expect(c).not.toEqual(a);

    const train = subset(mnistSplit(300, 0, 1).train, 300);
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const model = createModel(cnn, 3);
      runs.push({ result: await fit(model, train, { ...base, augmentation: config }), weights: exportWeights(model).data });
    }
    expect(runs[1].weights).toEqual(runs[0].weights);
    expect(runs[0].result.augmentation).toEqual(["horizontalFlip", "rotation", "shift", "noise"]);
    const plain = createModel(cnn, 3);
    const plainResult = await fit(plain, train, { ...base, augmentation: { shift: 0, noise: 0 } });
    expect(plainResult.augmentation).toEqual([]);
    expect(exportWeights(plain).data).not.toEqual(runs[0].weights);
  });

  it("never touches validation data: the reported valLoss is the loss of the un-augmented validation set", async () => {
    const { train, test } = mnistSplit(300, 100, 2);
    const model = createModel(cnn, 4);
    const validationX = test.x.slice();
    const trainX = train.x.slice();
    const result = await fit(model, train, { ...base, augmentation: { shift: 3, noise: 0.5, rotation: 20 } }, {}, { validationData: test });
    expect(test.x).toEqual(validationX);
    expect(train.x).toEqual(trainX); // batches are transformed in the graph's buffers, not in the dataset
    const outputs = model.predict(test.x, test.numSamples);
    let loss = 0;
    for (let r = 0; r < test.numSamples; r++) loss -= Math.log(outputs[r * 10 + test.y[r]]);
    expect(result.epochs[1].valLoss).toBeCloseTo(loss / test.numSamples, 4);
  });

  it("rejects image transforms on tabular data and bad values, with their paths", () => {
    const tabular: ModelSpec = { inputShape: [4], layers: [{ type: "dense", units: 3, activation: "softmax" }] };
    const data = { numFeatures: 4, numClasses: 3, numSamples: 30 };
    const pathOf = (augmentation: unknown, spec = tabular) => {
      try {
        checkSpecFitsData(spec, { ...base, augmentation: augmentation as never }, spec === tabular ? data : { ...data, numFeatures: 784, numClasses: 10 });
      } catch (error) {
        if (error instanceof SpecError) return error.path;
        throw error;
      }
      return null;
    };
    expect(pathOf({ noise: 0.1 })).toBeNull();
    expect(pathOf({ shift: 2 })).toBe("/training/augmentation/shift");
    expect(pathOf({ horizontalFlip: true })).toBe("/training/augmentation/horizontalFlip");
    expect(pathOf({ shift: 1.5 }, cnn)).toBe("/training/augmentation/shift");
    expect(pathOf({ rotation: -5 }, cnn)).toBe("/training/augmentation/rotation");
    expect(pathOf({ noise: -1 }, cnn)).toBe("/training/augmentation/noise");
    expect(pathOf({ zoom: 2 }, cnn)).toBe("/training/augmentation/zoom");
    expect(pathOf({ shift: 2, horizontalFlip: false, rotation: 0 }, cnn)).toBeNull();
  });
});
