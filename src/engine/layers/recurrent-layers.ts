import { BOUNDS } from "../contract.js";
import { gru } from "../ops/gru.js";
import { lstm } from "../ops/lstm.js";
import type { LayerSpec } from "../types.js";
import { checkBound, checkKnownFields, layerError } from "./checks.js";
import type { LayerKind, WeightDefinition } from "./layer.js";

// lstm and gru: [steps, features] -> [units] (the last step), or [steps, units] with returnSequences.

type RecurrentSpec = Extract<LayerSpec, { type: "lstm" | "gru" }>;

/** Gates side by side in the kernels: LSTM's input, forget, cell, output; GRU's update, reset, candidate. */
const GATES = { lstm: 4, gru: 3 } as const;

function recurrentLayer<S extends RecurrentSpec>(type: S["type"]): LayerKind<S> {
  const gates = GATES[type];
  return {
    outputShape(spec, inputShape, index) {
      checkKnownFields(spec, index, ["units", "returnSequences", "useBias"]);
      checkBound(spec.units, BOUNDS.recurrentUnits, index, type, "units");
      for (const field of ["returnSequences", "useBias"] as const) {
        if (spec[field] !== undefined && typeof spec[field] !== "boolean") throw layerError(index, type, field, `${field} must be a boolean`);
      }
      if (inputShape.length !== 2) {
        const hint = index === 0 ? "; declare the dataset's inputShape as [steps, features]" : "";
        throw layerError(index, type, null, `needs a sequence input [steps, features], got [${inputShape.join(", ")}]${hint}`);
      }
      return spec.returnSequences ? [inputShape[0], spec.units] : [spec.units];
    },

    weights(spec, inputShape) {
      const features = inputShape[1];
      const width = gates * spec.units;
      // Keras's defaults: glorotUniform kernel, orthogonal recurrent kernel, zero bias (LSTM: 1 for the forget gate).
      const weights: WeightDefinition[] = [
        { name: "kernel", shape: [features, width], trainable: true, initializer: "glorotUniform", fanIn: features, fanOut: width },
        { name: "recurrentKernel", shape: [spec.units, width], trainable: true, initializer: "orthogonal", fanIn: spec.units, fanOut: width },
      ];
      if (spec.useBias !== false) weights.push({ name: "bias", shape: [width], trainable: true, initializer: type === "lstm" ? "unitForgetBias" : "zeros", fanIn: features, fanOut: width });
      return weights;
    },

    apply(spec, x, [kernel, recurrentKernel, bias]) {
      const run = type === "lstm" ? lstm : gru;
      return run(x, kernel, recurrentKernel, bias ?? null, spec.returnSequences === true);
    },
  };
}

export const lstmLayer = recurrentLayer<Extract<RecurrentSpec, { type: "lstm" }>>("lstm");
export const gruLayer = recurrentLayer<Extract<RecurrentSpec, { type: "gru" }>>("gru");
