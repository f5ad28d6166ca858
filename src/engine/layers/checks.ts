import { SpecError } from "../errors.js";
import type { ActivationName, InitializerName, LayerSpec } from "../types.js";

export const ACTIVATION_NAMES: readonly ActivationName[] = ["linear", "relu", "leakyRelu", "elu", "gelu", "sigmoid", "tanh", "softmax"];
export const INITIALIZER_NAMES: readonly InitializerName[] = ["heNormal", "heUniform", "glorotNormal", "glorotUniform", "zeros"];

/** Field checks shared by the layer kinds; each error names the layer and the JSON pointer of the field. */
export function layerError(index: number, type: string, field: string | null, message: string): SpecError {
  const path = field === null ? `/model/layers/${index}` : `/model/layers/${index}/${field}`;
  return new SpecError(`layer ${index} (${type}): ${message}`, path, index);
}

export function checkKnownFields(spec: LayerSpec, index: number, allowed: readonly string[]): void {
  for (const key of Object.keys(spec)) {
    if (key !== "type" && !allowed.includes(key)) throw layerError(index, spec.type, key, `unknown field "${key}"`);
  }
}

export function checkOneOf<T extends string>(value: unknown, names: readonly T[], index: number, type: string, field: string): void {
  if (!names.includes(value as T)) throw layerError(index, type, field, `${field} must be one of ${names.join(", ")}, got ${JSON.stringify(value)}`);
}

export function checkNumberInRange(value: unknown, min: number, max: number, index: number, type: string, field: string, bounds = "[min, max)"): void {
  const ok = typeof value === "number" && Number.isFinite(value) && value >= min && (bounds === "[min, max]" ? value <= max : value < max);
  if (!ok) throw layerError(index, type, field, `${field} must be a number in ${bounds.replace("min", String(min)).replace("max", String(max))}, got ${JSON.stringify(value)}`);
}

/** A layer that works on images: its input must be [height, width, channels]. */
export function checkImageInput(inputShape: readonly number[], index: number, type: string): void {
  if (inputShape.length !== 3) {
    const hint = index === 0 ? "; declare the dataset's inputShape as [height, width, channels]" : "";
    throw layerError(index, type, null, `needs an image input [height, width, channels], got [${inputShape.join(", ")}]${hint}`);
  }
}

/** A number or [height, width] of positive integers, as [height, width]. */
export function checkSize2d(value: unknown, index: number, type: string, field: string): [number, number] {
  const ok = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;
  if (ok(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && ok(value[0]) && ok(value[1])) return [value[0], value[1]];
  throw layerError(index, type, field, `${field} must be a positive integer or [height, width] of positive integers, got ${JSON.stringify(value)}`);
}

export function checkPadding(value: unknown, index: number, type: string): "valid" | "same" {
  if (value === undefined) return "valid";
  checkOneOf(value, ["valid", "same"], index, type, "padding");
  return value as "valid" | "same";
}
