import { FeatureError } from "../../../src/features/errors.js";

/** The FeatureError `action` throws; fails the test when it throws nothing or something else. */
export function thrown(action: () => unknown): FeatureError {
  try {
    action();
  } catch (error) {
    if (error instanceof FeatureError) return error;
    throw error;
  }
  throw new Error("expected a FeatureError, and nothing was thrown");
}
