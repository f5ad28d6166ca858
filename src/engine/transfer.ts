import { cloneJson } from "./clone-json.js";
import { SpecError } from "./errors.js";
import { NeuralNetwork } from "./model.js";
import { UNUSED_OUTPUT } from "./model-plan.js";
import { checkSpecFitsData, summarizeModel } from "./spec.js";
import type { LayerSpec, LayerSummary, Model, ModelSpec, TrainingConfig, WeightEntry } from "./types.js";

/**
 * Transfer learning: a new model from a stored one. Keep the base model's
 * layers but the last `dropLayers`, append `addLayers` with fresh weights,
 * and freeze the first layers (`freeze: "base"` = every kept layer, or a
 * number of layers counted from the first; default 0). Kept layers come
 * first, so their weight names (layer<i>/...) are the base model's.
 */
export interface TransferOptions {
  /** Layers removed from the end of the base model, or the name of the first one removed (it and every layer after it go). Default 0. */
  dropLayers?: number | string;
  /** Layers appended after the kept ones; their weights are initialised from the seed. Default none. */
  addLayers?: LayerSpec[];
  /** "base": freeze every kept layer; n: freeze the first n layers of the new model; a kept layer's name: freeze it and every layer before it. Default 0 (fine-tune everything). */
  freeze?: "base" | number | string;
}

/** What a model built by transfer learning records about its origin (the caller adds the base model's id). */
export interface TransferLineage {
  keptLayers: number;
  droppedLayers: number;
  addedLayers: number;
  frozenLayers: number;
}

/** The base model as stored: its spec and its weights as exportWeights gave them. */
export interface StoredModel {
  spec: ModelSpec;
  manifest: WeightEntry[];
  data: Uint8Array;
}

/**
 * The new model's spec (kept layers, then added ones, `frozenLayers` set),
 * checked by shape inference. Pure: the API calls it before queueing.
 * Errors in added layers point into the request: /model/addLayers/<j>/<field>.
 */
export function transferSpec(base: ModelSpec, options: TransferOptions): { spec: ModelSpec; lineage: TransferLineage } {
  const layerCount = base.layers.length;
  const dropLayers = typeof options.dropLayers === "string" ? layerCount - layerIndexByName(base, options.dropLayers, "/model/dropLayers") : (options.dropLayers ?? 0);
  if (!Number.isInteger(dropLayers) || dropLayers < 0 || dropLayers >= layerCount) {
    const given = typeof options.dropLayers === "string" ? `"${options.dropLayers}", the first layer` : JSON.stringify(options.dropLayers);
    throw new SpecError(`dropLayers must be an integer from 0 to ${layerCount - 1} or a layer's name (the base model has ${layerCount} layers and at least one must stay), got ${given}`, "/model/dropLayers");
  }
  const addLayers: unknown = options.addLayers ?? [];
  if (!Array.isArray(addLayers)) throw new SpecError("addLayers must be a list of layers", "/model/addLayers");
  const keptLayers = layerCount - dropLayers;
  const total = keptLayers + addLayers.length;
  const freeze = options.freeze ?? 0;
  const frozenLayers = freeze === "base" ? keptLayers : typeof freeze === "string" ? layerIndexByName(base, freeze, "/model/freeze", keptLayers) + 1 : freeze;
  if (!(typeof freeze === "string" || (Number.isInteger(freeze) && freeze >= 0 && freeze <= total))) {
    throw new SpecError(`freeze must be "base", a kept layer's name or an integer from 0 to ${total} (layers of the new model), got ${JSON.stringify(options.freeze)}`, "/model/freeze");
  }
  const spec: ModelSpec = { inputShape: [...base.inputShape], layers: [...cloneJson(base.layers.slice(0, keptLayers)), ...cloneJson(addLayers as LayerSpec[])] };
  if (frozenLayers > 0) spec.frozenLayers = frozenLayers;
  withTransferPaths(keptLayers, dropLayers, () => summarizeModel(spec));
  return { spec, lineage: { keptLayers, droppedLayers: dropLayers, addedLayers: addLayers.length, frozenLayers } };
}

/** The index of the base model's layer called `name` (among the first `within` layers), or a SpecError at `path`. */
function layerIndexByName(base: ModelSpec, name: string, path: string, within = base.layers.length): number {
  const index = base.layers.findIndex((layer) => layer.name === name);
  if (index < 0 || index >= within) {
    const names = base.layers.slice(0, within).flatMap((layer) => (layer.name === undefined ? [] : [`"${layer.name}"`]));
    const known = names.length > 0 ? `its named layers are ${names.join(", ")}` : "none of its layers has a name";
    throw new SpecError(`${index >= within ? `"${name}" is a dropped layer` : `the base model has no layer named "${name}"`}; ${known}${within < base.layers.length ? " (kept layers)" : ""}`, path);
  }
  return index;
}

/** checkSpecFitsData for a transfer request: the same checks, errors in added layers pointing at /model/addLayers/<j>. */
export function checkTransferFitsData(base: ModelSpec, options: TransferOptions, training: TrainingConfig, data: { numFeatures: number; numClasses: number; numSamples: number }): LayerSummary[] {
  const { spec, lineage } = transferSpec(base, options);
  return withTransferPaths(lineage.keptLayers, lineage.droppedLayers, () => checkSpecFitsData(spec, training, data));
}

/**
 * Builds the new model: the kept layers carry the base model's weights (all
 * of them, running statistics included), the added layers are initialised
 * from `seed`. Throws SpecError as transferSpec, Error if the stored weights
 * do not match the base spec.
 */
export function createTransferModel(base: StoredModel, options: TransferOptions, seed: number): { spec: ModelSpec; model: Model; lineage: TransferLineage } {
  const { spec, lineage } = transferSpec(base.spec, options);
  const network = new NeuralNetwork(spec, seed);
  const entries = new Map(base.manifest.map((entry) => [entry.name, entry]));
  const view = new DataView(base.data.buffer, base.data.byteOffset, base.data.byteLength);
  for (const { name, tensor, layer } of network.weights) {
    if (layer >= lineage.keptLayers) continue;
    const entry = entries.get(name);
    if (entry === undefined) throw new Error(`createTransferModel: the base model's weights have no ${name}`);
    const sameShape = entry.shape.length === tensor.shape.length && entry.shape.every((d, i) => d === tensor.shape[i]);
    if (!sameShape) throw new Error(`createTransferModel: ${name} is [${entry.shape.join(", ")}] in the base weights, [${tensor.shape.join(", ")}] in the spec`);
    if ((entry.offset + tensor.size) * 4 > base.data.byteLength) throw new Error(`createTransferModel: ${name} runs past the end of the base weights`);
    for (let i = 0; i < tensor.size; i++) tensor.data[i] = view.getFloat32((entry.offset + i) * 4, true);
  }
  return { spec, model: network, lineage };
}

/**
 * Runs `check`, rewriting a SpecError about layer i >= keptLayers to name
 * addLayers[i - keptLayers], and one about a kept layer whose output the
 * dropped layers took to name dropLayers.
 */
function withTransferPaths<T>(keptLayers: number, droppedLayers: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof SpecError) || error.layerIndex === undefined) throw error;
    if (error.layerIndex < keptLayers) {
      if (droppedLayers > 0 && error.message.includes(UNUSED_OUTPUT)) {
        throw new SpecError(`dropping the last ${droppedLayers} layers leaves ${error.message}`, "/model/dropLayers", error.layerIndex);
      }
      throw error;
    }
    const added = error.layerIndex - keptLayers;
    const path = error.path.replace(/^\/model\/layers\/\d+/, `/model/addLayers/${added}`);
    const message = error.message.replace(/^layer (\d+) \(/, `addLayers/${added} (layer $1 of the new model, `);
    throw new SpecError(message, path, error.layerIndex);
  }
}
