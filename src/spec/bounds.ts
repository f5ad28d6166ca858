import { Type, type TInteger, type TNumber } from "typebox";
import { BOUNDS, type BoundName } from "../engine/index.js";

/**
 * A numeric field of the API with the engine's bound for it (src/engine/contract.ts):
 * an integer or a number schema carrying the same JSON Schema keywords.
 */
export function bounded(name: BoundName, options: { description?: string; default?: number } = {}): TInteger | TNumber {
  const { integer, ...limits } = BOUNDS[name] as { integer?: boolean };
  return integer ? Type.Integer({ ...limits, ...options }) : Type.Number({ ...limits, ...options });
}
