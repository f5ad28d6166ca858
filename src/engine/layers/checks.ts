import { ACTIVATIONS, BOUNDS, INITIALIZERS, PADDINGS, describeBound, withinBound, type Bound } from "../contract.js";
import { SpecError } from "../errors.js";
import type { LayerSpec } from "../types.js";

export const ACTIVATION_NAMES = ACTIVATIONS;
export const INITIALIZER_NAMES = INITIALIZERS;

/** Field checks shared by the layer kinds; each error names the layer and the JSON pointer of the field. */
export function layerError(index: number, type: string, field: string | null, message: string): SpecError {
  const path = field === null ? `/model/layers/${index}` : `/model/layers/${index}/${field}`;
  return new SpecError(`layer ${index} (${type}): ${message}`, path, index);
}

/** Every layer may carry its wiring (name, inputs: checked by spec.ts's graph plan) beside its own fields. */
const WIRING_FIELDS = ["type", "name", "inputs"];

export function checkKnownFields(spec: LayerSpec, index: number, allowed: readonly string[]): void {
  for (const key of Object.keys(spec)) {
    if (!WIRING_FIELDS.includes(key) && !allowed.includes(key)) throw layerError(index, spec.type, key, `unknown field "${key}"`);
  }
}

export function checkOneOf<T extends string>(value: unknown, names: readonly T[], index: number, type: string, field: string): void {
  if (!names.includes(value as T)) throw layerError(index, type, field, `${field} must be one of ${names.join(", ")}, got ${JSON.stringify(value)}`);
}

/** A numeric field within its bound from contract.ts. */
export function checkBound(value: unknown, bound: Bound, index: number, type: string, field: string): void {
  if (!withinBound(value, bound)) throw layerError(index, type, field, `${field} must be ${describeBound(bound)}, got ${JSON.stringify(value)}`);
}

/** A layer that works on images: its input must be [height, width, channels]. */
export function checkImageInput(inputShape: readonly number[], index: number, type: string): void {
  if (inputShape.length !== 3) {
    const hint = index === 0 ? "; declare the dataset's inputShape as [height, width, channels]" : "";
    throw layerError(index, type, null, `needs an image input [height, width, channels], got [${inputShape.join(", ")}]${hint}`);
  }
}

/** A window size (BOUNDS.windowSize) or [height, width] of them, as [height, width]. */
export function checkSize2d(value: unknown, index: number, type: string, field: string): [number, number] {
  const ok = (v: unknown): v is number => withinBound(v, BOUNDS.windowSize);
  if (ok(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && ok(value[0]) && ok(value[1])) return [value[0], value[1]];
  throw layerError(index, type, field, `${field} must be ${describeBound(BOUNDS.windowSize)} or [height, width] of them, got ${JSON.stringify(value)}`);
}

export function checkPadding(value: unknown, index: number, type: string): "valid" | "same" {
  if (value === undefined) return "valid";
  checkOneOf(value, PADDINGS, index, type, "padding");
  return value as "valid" | "same";
}
