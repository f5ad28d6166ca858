import { allocateFloats } from "../kernels/kernel-path.js";
import type { Tensor } from "../tensor.js";
import { clipByGlobalNorm, clipByValue } from "./clipping.js";

export interface OptimizerOptions {
  /** L2 penalty added to the gradient (adamw applies it decoupled instead). */
  weightDecay: number;
  clipNorm?: number;
  clipValue?: number;
}

/** What a checkpoint keeps of an optimizer: its step count and per-weight slots (momentum, moments...). */
export interface OptimizerState {
  iterations: number;
  slots: { name: string; values: Float32Array }[];
}

/**
 * The shared base, as in tinygrad's optim.py: step() prepares the gradients
 * (weight decay, clipping), lets the subclass update each weight, then clears
 * the gradients. Subclasses only say how one weight moves.
 */
export abstract class Optimizer {
  /** Completed steps; Adam's bias correction counts from it. */
  iterations = 0;
  private readonly slots = new Map<string, Float32Array[]>();
  private readonly grads: Float32Array[];

  constructor(
    readonly weights: readonly Tensor[],
    readonly options: OptimizerOptions,
  ) {
    this.grads = weights.map((w) => {
      if (w.grad === null) throw new Error("optimizer: every weight it updates needs a gradient");
      return w.grad;
    });
  }

  step(learningRate: number): void {
    const { weightDecay, clipNorm, clipValue } = this.options;
    const grads = this.grads;
    if (weightDecay > 0 && this.usesL2WeightDecay()) {
      for (let i = 0; i < grads.length; i++) addScaled(grads[i], this.weights[i].data, weightDecay);
    }
    if (clipValue !== undefined) for (let i = 0; i < grads.length; i++) clipByValue(grads[i], clipValue);
    if (clipNorm !== undefined) clipByGlobalNorm(grads, clipNorm);
    this.iterations++;
    for (let i = 0; i < grads.length; i++) {
      this.update(i, this.weights[i].data, grads[i], learningRate);
      grads[i].fill(0);
    }
  }

  /** Moves weight `index` (values `w`, gradient `g`). */
  protected abstract update(index: number, w: Float32Array, g: Float32Array, learningRate: number): void;

  /** False for optimizers that decay weights their own way (adamw). */
  protected usesL2WeightDecay(): boolean {
    return true;
  }

  /** A per-weight buffer (e.g. "momentum"), zero at first, kept across steps. */
  protected slot(name: string, index: number, initialValue = 0): Float32Array {
    let buffers = this.slots.get(name);
    if (buffers === undefined) {
      // In the kernels' heap, where the weights and gradients are, so that update kernels work on them in place.
      buffers = this.weights.map((w) => allocateFloats(w.size).fill(initialValue));
      this.slots.set(name, buffers);
    }
    return buffers[index];
  }

  getState(): OptimizerState {
    const slots: OptimizerState["slots"] = [];
    for (const [name, buffers] of this.slots) buffers.forEach((values, i) => slots.push({ name: `${name}/${i}`, values: values.slice() }));
    return { iterations: this.iterations, slots };
  }

  setState(state: OptimizerState): void {
    this.iterations = state.iterations;
    for (const { name, values } of state.slots) {
      const cut = name.lastIndexOf("/");
      const index = Number(name.slice(cut + 1));
      const target = this.slot(name.slice(0, cut), index);
      if (target.length !== values.length) throw new Error(`optimizer state: slot ${name} has ${values.length} values, the weight has ${target.length}`);
      target.set(values);
    }
  }
}

function addScaled(target: Float32Array, source: Float32Array, scale: number): void {
  for (let i = 0; i < target.length; i++) target[i] += scale * source[i];
}
