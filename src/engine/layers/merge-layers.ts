import { addTensors } from "../ops/add.js";
import { concatenate } from "../ops/concatenate.js";
import type { Tensor } from "../tensor.js";
import type { LayerSpec } from "../types.js";
import { checkKnownFields, layerError } from "./checks.js";

/** Layers that take two or more inputs: the joins of a graph model. */
export type MergeSpec = Extract<LayerSpec, { type: "add" | "concatenate" }>;

export interface MergeKind {
  /** `inputShapes[k]` comes from the layer `sources[k]` describes ("layer 2 (dense "skip")"). Throws SpecError at the layer's inputs. */
  outputShape(spec: MergeSpec, inputShapes: number[][], sources: string[], index: number): number[];
  apply(inputs: Tensor[]): Tensor;
}

const listShapes = (inputShapes: number[][], sources: string[]) => inputShapes.map((shape, k) => `[${shape.join(", ")}] from ${sources[k]}`).join(", ");

export const mergeKinds: Record<MergeSpec["type"], MergeKind> = {
  add: {
    outputShape(spec, inputShapes, sources, index) {
      checkKnownFields(spec, index, []);
      const [first] = inputShapes;
      if (inputShapes.some((shape) => shape.length !== first.length || shape.some((d, i) => d !== first[i]))) {
        throw layerError(index, "add", "inputs", `adds inputs of one shape, got ${listShapes(inputShapes, sources)}`);
      }
      return [...first];
    },
    apply: (inputs) => addTensors(inputs),
  },
  concatenate: {
    outputShape(spec, inputShapes, sources, index) {
      checkKnownFields(spec, index, []);
      const lead = inputShapes[0].slice(0, -1);
      if (inputShapes.some((shape) => shape.length !== lead.length + 1 || lead.some((d, i) => d !== shape[i]))) {
        throw layerError(index, "concatenate", "inputs", `joins inputs along their last axis, so all other axes must agree; got ${listShapes(inputShapes, sources)}`);
      }
      return [...lead, inputShapes.reduce((sum, shape) => sum + shape[shape.length - 1], 0)];
    },
    apply: (inputs) => concatenate(inputs),
  },
};

export function isMergeSpec(spec: LayerSpec): spec is MergeSpec {
  return spec.type === "add" || spec.type === "concatenate";
}
