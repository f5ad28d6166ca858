import { describe, expect, it } from "vitest";
import type { OptimizerConfig } from "../../src/engine/index.js";
import { createOptimizer } from "../../src/engine/optimizers/create-optimizer.js";
import { Tensor } from "../../src/engine/tensor.js";

// Exact optimizer steps, in the style of tinygrad's helper_test_op and tfjs's
// expectArraysClose: a few weights and gradients picked by hand, each step
// compared with the published formula, computed here in float64 and written
// out plainly. The values are chosen so that every term of a formula (epsilon,
// bias correction, decay) moves the result by far more than the tolerance.

const w0 = [1, -2, 0.5];
const g1 = [0.5, -1, 2];
const g2 = [0.25, 0.5, -1];

/** Runs one step per gradient on a single weight vector (at `rate`, as fit passes the schedule's rate); returns the weights. */
function run(config: OptimizerConfig, start: number[], grads: number[][], rate = config.learningRate): Float32Array {
  const w = Tensor.leaf(Float32Array.from(start), [start.length], true);
  const optimizer = createOptimizer(config, [w]);
  for (const g of grads) {
    w.grad!.set(g);
    optimizer.step(rate);
    expect([...w.grad!], "the step clears the gradient").toEqual(start.map(() => 0));
  }
  return w.data;
}

/** Float32 weights against float64 expectations: relative 1e-6 (a float32 step rounds at about 1e-7). */
function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const error = Math.abs(actual[i] - e);
    expect(error, `element ${i}: got ${actual[i]}, expected ${e}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(e)));
  });
}

describe("SGD, one step at a time (Keras' formulas)", () => {
  it("plain: w -= lr * g, at the rate step() is given", () => {
    const rate = 0.05; // the schedule's rate, not the config's 0.1
    expectClose(run({ type: "sgd", learningRate: 0.1 }, w0, [g1], rate), w0.map((w, i) => w - rate * g1[i]));
  });

  it("momentum: v = m v - lr g; w += v (two steps, so the velocity carries over)", () => {
    const [lr, m] = [0.1, 0.9];
    const v1 = g1.map((g) => -lr * g);
    const w1 = w0.map((w, i) => w + v1[i]);
    const v2 = v1.map((v, i) => m * v - lr * g2[i]);
    const w2 = w1.map((w, i) => w + v2[i]);
    expectClose(run({ type: "sgd", learningRate: lr, momentum: m }, w0, [g1]), w1);
    expectClose(run({ type: "sgd", learningRate: lr, momentum: m }, w0, [g1, g2]), w2);
  });

  it("Nesterov: v = m v - lr g; w += m v - lr g", () => {
    const [lr, m] = [0.1, 0.9];
    const v1 = g1.map((g) => -lr * g);
    const w1 = w0.map((w, i) => w + m * v1[i] - lr * g1[i]);
    const v2 = v1.map((v, i) => m * v - lr * g2[i]);
    const w2 = w1.map((w, i) => w + m * v2[i] - lr * g2[i]);
    expectClose(run({ type: "sgd", learningRate: lr, momentum: m, nesterov: true }, w0, [g1, g2]), w2);
  });

  it("Nesterov without momentum is plain SGD", () => {
    expectClose(run({ type: "sgd", learningRate: 0.1, nesterov: true }, w0, [g1, g2]), w0.map((w, i) => w - 0.1 * g1[i] - 0.1 * g2[i]));
  });
});

describe("RMSprop (rho from beta2; epsilon added to the root, as PyTorch)", () => {
  it("without momentum: ms = rho ms + (1 - rho) g^2; w -= lr g / (sqrt(ms) + eps)", () => {
    const [lr, rho, eps] = [0.1, 0.8, 0.01];
    const ms1 = g1.map((g) => (1 - rho) * g * g);
    const w1 = w0.map((w, i) => w - (lr * g1[i]) / (Math.sqrt(ms1[i]) + eps));
    const ms2 = ms1.map((ms, i) => rho * ms + (1 - rho) * g2[i] * g2[i]);
    const w2 = w1.map((w, i) => w - (lr * g2[i]) / (Math.sqrt(ms2[i]) + eps));
    expectClose(run({ type: "rmsprop", learningRate: lr, beta2: rho, epsilon: eps }, w0, [g1, g2]), w2);
  });

  it("with momentum: mom = mu mom + lr g / (sqrt(ms) + eps); w -= mom", () => {
    const [lr, rho, mu, eps] = [0.1, 0.8, 0.5, 0.01];
    const ms1 = g1.map((g) => (1 - rho) * g * g);
    const mom1 = g1.map((g, i) => (lr * g) / (Math.sqrt(ms1[i]) + eps));
    const w1 = w0.map((w, i) => w - mom1[i]);
    const ms2 = ms1.map((ms, i) => rho * ms + (1 - rho) * g2[i] * g2[i]);
    const mom2 = mom1.map((mom, i) => mu * mom + (lr * g2[i]) / (Math.sqrt(ms2[i]) + eps));
    const w2 = w1.map((w, i) => w - mom2[i]);
    expectClose(run({ type: "rmsprop", learningRate: lr, beta2: rho, momentum: mu, epsilon: eps }, w0, [g1, g2]), w2);
  });

  it("defaults: rho 0.9, epsilon 1e-7 (visible on a gradient of 1e-6)", () => {
    const [lr, rho, eps] = [0.01, 0.9, 1e-7];
    const g = [0.5, -1, 1e-6];
    const ms = g.map((x) => (1 - rho) * x * x);
    expectClose(run({ type: "rmsprop", learningRate: lr }, w0, [g]), w0.map((w, i) => w - (lr * g[i]) / (Math.sqrt(ms[i]) + eps)));
  });

  // The engine has no centered RMSprop (Keras' centered=True); the config offers no such field.
});

describe("Adagrad", () => {
  it("acc += g^2 from Keras' initial accumulator 0.1; w -= lr g / (sqrt(acc) + eps)", () => {
    const [lr, eps, initial] = [0.1, 0.01, 0.1];
    const acc1 = g1.map((g) => initial + g * g);
    const w1 = w0.map((w, i) => w - (lr * g1[i]) / (Math.sqrt(acc1[i]) + eps));
    const acc2 = acc1.map((acc, i) => acc + g2[i] * g2[i]);
    const w2 = w1.map((w, i) => w - (lr * g2[i]) / (Math.sqrt(acc2[i]) + eps));
    expectClose(run({ type: "adagrad", learningRate: lr, epsilon: eps }, w0, [g1, g2]), w2);
  });

  it("the initial accumulator keeps a small first gradient's step small (from 0 it would be a full lr)", () => {
    const step = -run({ type: "adagrad", learningRate: 0.1 }, [0], [[1e-3]])[0];
    expect(step).toBeCloseTo((0.1 * 1e-3) / Math.sqrt(0.1 + 1e-6), 7);
    expect(step).toBeLessThan(0.001);
  });
});

describe("Adam and AdamW (Keras and TensorFlow.js: bias correction folded into the step size)", () => {
  const [lr, b1, b2, eps] = [0.1, 0.8, 0.9, 0.01];
  const adam: OptimizerConfig = { type: "adam", learningRate: lr, beta1: b1, beta2: b2, epsilon: eps };
  /** m/v after step t from the previous m/v and gradient g, and the step lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps). */
  const moments = (m: number[], v: number[], g: number[]) => ({ m: m.map((x, i) => b1 * x + (1 - b1) * g[i]), v: v.map((x, i) => b2 * x + (1 - b2) * g[i] * g[i]) });
  const adamStep = (t: number, m: number, v: number) => ((lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t)) * (m / (Math.sqrt(v) + eps));
  const zeros = [0, 0, 0];

  it("bias correction at steps 1 and 2", () => {
    const s1 = moments(zeros, zeros, g1);
    const w1 = w0.map((w, i) => w - adamStep(1, s1.m[i], s1.v[i]));
    const s2 = moments(s1.m, s1.v, g2);
    const w2 = w1.map((w, i) => w - adamStep(2, s2.m[i], s2.v[i]));
    expectClose(run(adam, w0, [g1]), w1);
    expectClose(run(adam, w0, [g1, g2]), w2);
  });

  it("defaults: beta1 0.9, beta2 0.999, epsilon 1e-7 (visible on a gradient of 1e-6)", () => {
    const g = [0.5, -1, 1e-6];
    const m = g.map((x) => 0.1 * x);
    const v = g.map((x) => 0.001 * x * x);
    const stepSize = (0.01 * Math.sqrt(1 - 0.999)) / (1 - 0.9);
    expectClose(run({ type: "adam", learningRate: 0.01 }, w0, [g]), w0.map((w, i) => w - stepSize * (m[i] / (Math.sqrt(v[i]) + 1e-7))));
  });

  it("Adam's weightDecay is L2: wd * w joins the gradient before the moments", () => {
    const wd = 0.1;
    const gd1 = g1.map((g, i) => g + wd * w0[i]);
    const s1 = moments(zeros, zeros, gd1);
    const w1 = w0.map((w, i) => w - adamStep(1, s1.m[i], s1.v[i]));
    const gd2 = g2.map((g, i) => g + wd * w1[i]);
    const s2 = moments(s1.m, s1.v, gd2);
    const w2 = w1.map((w, i) => w - adamStep(2, s2.m[i], s2.v[i]));
    expectClose(run({ ...adam, weightDecay: wd }, w0, [g1, g2]), w2);
  });

  it("AdamW decouples it: w -= lr wd w, and the moments see the raw gradient", () => {
    const wd = 0.1;
    const s1 = moments(zeros, zeros, g1);
    const w1 = w0.map((w, i) => w - lr * wd * w - adamStep(1, s1.m[i], s1.v[i]));
    const s2 = moments(s1.m, s1.v, g2);
    const w2 = w1.map((w, i) => w - lr * wd * w - adamStep(2, s2.m[i], s2.v[i]));
    expectClose(run({ ...adam, type: "adamw", weightDecay: wd }, w0, [g1, g2]), w2);
  });

  it("AdamW's weight decay defaults to 0.01 (PyTorch's); with 0 it is Adam", () => {
    const s1 = moments(zeros, zeros, g1);
    expectClose(run({ ...adam, type: "adamw" }, w0, [g1]), w0.map((w, i) => w - lr * 0.01 * w - adamStep(1, s1.m[i], s1.v[i])));
    expectClose(run({ ...adam, type: "adamw", weightDecay: 0 }, w0, [g1, g2]), [...run(adam, w0, [g1, g2])]);
  });
});

describe("L2 weight decay (g += wd w) on the other optimizers", () => {
  const wd = 0.5;
  const gd = g1.map((g, i) => g + wd * w0[i]);
  it("sgd, plain and with momentum", () => {
    expectClose(run({ type: "sgd", learningRate: 0.1, weightDecay: wd }, w0, [g1]), w0.map((w, i) => w - 0.1 * gd[i]));
    const v1 = gd.map((g) => -0.1 * g);
    const w1 = w0.map((w, i) => w + v1[i]);
    const gd2 = g2.map((g, i) => g + wd * w1[i]);
    expectClose(run({ type: "sgd", learningRate: 0.1, momentum: 0.9, weightDecay: wd }, w0, [g1, g2]), w1.map((w, i) => w + 0.9 * v1[i] - 0.1 * gd2[i]));
  });

  it("rmsprop", () => {
    const ms = gd.map((g) => 0.1 * g * g);
    expectClose(run({ type: "rmsprop", learningRate: 0.1, epsilon: 0.01, weightDecay: wd }, w0, [g1]), w0.map((w, i) => w - (0.1 * gd[i]) / (Math.sqrt(ms[i]) + 0.01)));
  });

  it("adagrad", () => {
    expectClose(run({ type: "adagrad", learningRate: 0.1, epsilon: 0.01, weightDecay: wd }, w0, [g1]), w0.map((w, i) => w - (0.1 * gd[i]) / (Math.sqrt(0.1 + gd[i] * gd[i]) + 0.01)));
  });
});

describe("gradient clipping inside the step", () => {
  const zeros = [0, 0, 0];

  it("clipValue clamps each element to [-clipValue, clipValue] before the update", () => {
    expectClose(run({ type: "sgd", learningRate: 1, clipValue: 0.5 }, zeros, [[3, -0.25, -2]]), [-0.5, 0.25, 0.5]);
  });

  it("clipNorm scales all weights' gradients together to a joint L2 norm of clipNorm", () => {
    const a = Tensor.leaf(new Float32Array(1), [1], true);
    const b = Tensor.leaf(new Float32Array(2), [2], true);
    const optimizer = createOptimizer({ type: "sgd", learningRate: 1, clipNorm: 2.5 }, [a, b]);
    a.grad!.set([3]);
    b.grad!.set([0, 4]); // joint norm 5: everything halves
    optimizer.step(1);
    expectClose(a.data, [-1.5]);
    expectClose(b.data, [0, -2]);
    a.grad!.set([3]);
    b.grad!.set([0, 4]);
    createOptimizer({ type: "sgd", learningRate: 1, clipNorm: 6 }, [a, b]).step(1); // under the norm: unchanged
    expectClose(a.data, [-4.5]);
    expectClose(b.data, [0, -6]);
  });

  it("clipValue runs before clipNorm, and the L2 term is part of the gradient they clip", () => {
    const half = Math.SQRT1_2;
    // [3, 4] -> clipValue 2 -> [2, 2] -> clipNorm 1 -> [1/sqrt 2, 1/sqrt 2] (the other order would give [0.6, 0.8]).
    expectClose(run({ type: "sgd", learningRate: 1, clipValue: 2, clipNorm: 1 }, [0, 0], [[3, 4]]), [-half, -half]);
    // g = 1 + wd * w = 1 + 1 * 2 = 3, clipped to 2.
    expectClose(run({ type: "sgd", learningRate: 1, weightDecay: 1, clipValue: 2 }, [2], [[1]]), [0]);
  });

  it("clips for the adaptive optimizers too (Adam's moments see the clipped gradient)", () => {
    const [lr, b1, b2, eps] = [0.1, 0.8, 0.9, 0.5];
    const g = [0.2, -0.2, 0.2]; // [3, -0.2, 0.5] clipped at 0.2
    const m = g.map((x) => (1 - b1) * x);
    const v = g.map((x) => (1 - b2) * x * x);
    const expected = w0.map((w, i) => w - ((lr * Math.sqrt(1 - b2)) / (1 - b1)) * (m[i] / (Math.sqrt(v[i]) + eps)));
    expectClose(run({ type: "adam", learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, clipValue: 0.2 }, w0, [[3, -0.2, 0.5]]), expected);
  });
});

describe("optimizer state", () => {
  const configs: OptimizerConfig[] = [
    { type: "sgd", learningRate: 0.1, momentum: 0.9 },
    { type: "sgd", learningRate: 0.1, momentum: 0.9, nesterov: true },
    { type: "rmsprop", learningRate: 0.1, momentum: 0.5 },
    { type: "adagrad", learningRate: 0.1 },
    { type: "adam", learningRate: 0.1 },
    { type: "adamw", learningRate: 0.1 },
  ];
  for (const config of configs) {
    it(`${JSON.stringify(config)}: a copy restored from getState() takes the same next step`, () => {
      const make = () => [Tensor.leaf(Float32Array.from(w0), [3], true), Tensor.leaf(Float32Array.from([2, -1]), [2], true)];
      const first = make();
      const original = createOptimizer(config, first);
      const grads = [g1, [1, -0.5]];
      const step = (weights: Tensor[], optimizer: ReturnType<typeof createOptimizer>, scale: number) => {
        weights.forEach((w, k) => w.grad!.set(grads[k].map((g) => g * scale)));
        optimizer.step(0.1);
      };
      step(first, original, 1);
      step(first, original, -0.5);
      const state = original.getState();
      const saved = first.map((w) => w.data.slice());
      step(first, original, 2); // moves on after the snapshot: the state must be a copy
      const second = make();
      second.forEach((w, k) => w.data.set(saved[k]));
      const restored = createOptimizer(config, second);
      restored.setState(state);
      expect(restored.iterations).toBe(2);
      step(second, restored, 2);
      second.forEach((w, k) => expect([...w.data], `weight ${k}`).toEqual([...first[k].data]));
    });
  }

  it("names its slots as stored checkpoints name them, and keeps only the slots its options use", () => {
    const slotNames = (config: OptimizerConfig) => {
      const w = Tensor.leaf(new Float32Array(2), [2], true);
      const optimizer = createOptimizer(config, [w]);
      w.grad!.set([1, -1]);
      optimizer.step(0.1);
      return optimizer.getState().slots.map((slot) => slot.name);
    };
    expect(slotNames({ type: "sgd", learningRate: 0.1 })).toEqual([]);
    expect(slotNames({ type: "sgd", learningRate: 0.1, momentum: 0.9 })).toEqual(["velocity/0"]);
    expect(slotNames({ type: "rmsprop", learningRate: 0.1 })).toEqual(["meanSquare/0"]);
    expect(slotNames({ type: "rmsprop", learningRate: 0.1, momentum: 0.5 })).toEqual(["meanSquare/0", "momentum/0"]);
    expect(slotNames({ type: "adagrad", learningRate: 0.1 })).toEqual(["accumulator/0"]);
    expect(slotNames({ type: "adamw", learningRate: 0.1 })).toEqual(["m/0", "v/0"]);
  });

  it("setState refuses a slot of another size; an optimizer needs weights with gradients", () => {
    const w = Tensor.leaf(new Float32Array(3), [3], true);
    const optimizer = createOptimizer({ type: "adam", learningRate: 0.1 }, [w]);
    expect(() => optimizer.setState({ iterations: 1, slots: [{ name: "m/0", values: new Float32Array(2) }] })).toThrow(/slot m\/0 has 2 values, the weight has 3/);
    expect(() => createOptimizer({ type: "sgd", learningRate: 0.1 }, [Tensor.leaf(new Float32Array(1), [1])])).toThrow(/needs a gradient/);
  });
});
