import { SpecError } from "../../../src/engine/index.js";

/** The SpecError `fn` throws; fails the test if it throws nothing or something else. */
export function specError(fn: () => unknown): SpecError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error("expected a SpecError");
}
