import { DescentError, type FieldError } from "../errors.js";

/**
 * Flattens prediction inputs into one row-major float32 array. Each input is
 * either a flat array of inputSize numbers or nested arrays shaped as the
 * model's inputShape; anything else is a 400 naming the path.
 */
export function flattenInputs(inputs: unknown[], inputShape: number[]): Float32Array {
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(inputs.length * inputSize);
  const errors: FieldError[] = [];

  inputs.forEach((input, i) => {
    if (errors.length >= 20) return;
    const path = `/inputs/${i}`;
    const flat = Array.isArray(input) && input.length === inputSize && input.every((v) => typeof v === "number");
    if (flat) {
      writeNumbers(input as number[], out, i * inputSize, path, errors);
    } else if (inputShape.length > 1 && Array.isArray(input)) {
      writeNested(input, inputShape, 0, out, i * inputSize, path, errors);
    } else {
      errors.push({ path, message: `expected ${inputSize} numbers (inputShape [${inputShape.join(", ")}])` });
    }
  });

  if (errors.length > 0) throw new DescentError("VALIDATION_FAILED", `${errors[0].path}: ${errors[0].message}`, errors);
  return out;
}

function writeNumbers(values: number[], out: Float32Array, offset: number, path: string, errors: FieldError[]): void {
  values.forEach((value, j) => {
    if (!Number.isFinite(Math.fround(value))) errors.push({ path: `${path}/${j}`, message: `${value} is not a finite float32` });
    out[offset + j] = value;
  });
}

/** Writes nested arrays of shape `shape[depth..]`; returns how many values it wrote. */
function writeNested(
  value: unknown,
  shape: number[],
  depth: number,
  out: Float32Array,
  offset: number,
  path: string,
  errors: FieldError[],
): number {
  const size = shape.slice(depth).reduce((a, b) => a * b, 1);
  if (depth === shape.length) {
    if (typeof value !== "number" || !Number.isFinite(Math.fround(value))) {
      errors.push({ path, message: "expected a finite number" });
    } else out[offset] = value;
    return 1;
  }
  if (!Array.isArray(value) || value.length !== shape[depth]) {
    errors.push({ path, message: `expected an array of ${shape[depth]} (shape [${shape.slice(depth).join(", ")}])` });
    return size;
  }
  let written = 0;
  value.forEach((item, k) => {
    written += writeNested(item, shape, depth + 1, out, offset + written, `${path}/${k}`, errors);
  });
  return written;
}
