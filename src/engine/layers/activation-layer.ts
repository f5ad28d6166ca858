import { activation } from "../ops/activations.js";
import type { LayerSpec } from "../types.js";
import { ACTIVATION_NAMES, checkKnownFields, checkOneOf } from "./checks.js";
import type { LayerKind } from "./layer.js";

type ActivationSpec = Extract<LayerSpec, { type: "activation" }>;

export const activationLayer: LayerKind<ActivationSpec> = {
  outputShape(spec, inputShape, index) {
    checkKnownFields(spec, index, ["activation"]);
    checkOneOf(spec.activation, ACTIVATION_NAMES, index, "activation", "activation");
    return [...inputShape];
  },
  weights: () => [],
  apply: (spec, x, _weights, _context, withoutFinalActivation) => (withoutFinalActivation ? x : activation(x, spec.activation)),
};
