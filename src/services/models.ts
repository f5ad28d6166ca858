import type { Database, Model as ModelRow } from "../db/client.js";
import { createModel, exportTfjs, importWeights, summarizeModel, type Model as EngineModel, type WeightEntry } from "../engine/index.js";
import { notFound } from "../errors.js";
import type { ModelSpec } from "../spec/model-spec.js";
import type { TrainedModelView } from "../spec/model.js";
import { flattenInputs } from "./predict-inputs.js";
import { pageOf, type Page, type PageRequest } from "./pagination.js";

export interface Prediction {
  outputs: number[][];
  classes?: number[];
  classNames?: string[];
}

// Building a model from its weights costs a database read and a copy; keep
// the few most recently used ones. Weights of a stored model never change.
const CACHE_SIZE = 8;

export function createModelService({ db }: { db: Database }) {
  const cache = new Map<string, { engineModel: EngineModel; row: Omit<ModelRow, "weights"> }>();

  async function loadForPrediction(projectId: string, id: string) {
    const cached = cache.get(id);
    if (cached && cached.row.projectId === projectId) {
      cache.delete(id);
      cache.set(id, cached);
      return cached;
    }
    const row = await db.model.findFirst({ where: { id, projectId }, omit: { weights: false } });
    if (!row) throw notFound("model", id);
    const engineModel = createModel(row.spec as unknown as ModelSpec, 0);
    importWeights(engineModel, row.weightManifest as unknown as WeightEntry[], row.weights);
    const { weights: _weights, ...rest } = row;
    const entry = { engineModel, row: rest };
    cache.set(id, entry);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return entry;
  }

  return {
    /** Newest first, with cursor pagination; without weights. */
    async list(projectId: string, page: PageRequest): Promise<Page<TrainedModelView>> {
      const rows = await db.model.findMany({
        where: { projectId, ...(page.cursor ? { id: { lt: page.cursor } } : {}) },
        orderBy: { id: "desc" },
        take: page.limit + 1,
      });
      return pageOf(rows.map(toModelView), page.limit);
    },

    async get(projectId: string, id: string): Promise<TrainedModelView> {
      const row = await db.model.findFirst({ where: { id, projectId } });
      if (!row) throw notFound("model", id);
      return toModelView(row);
    },

    /** The weights as stored: little-endian float32, laid out by weightManifest. */
    async weights(projectId: string, id: string): Promise<Uint8Array> {
      const row = await db.model.findFirst({ where: { id, projectId }, select: { weights: true } });
      if (!row) throw notFound("model", id);
      return row.weights;
    },

    /** The TensorFlow.js layers format: model.json (weights manifest path "weights.bin", beside it) and weights.bin. */
    async tfjs(projectId: string, id: string) {
      const { engineModel } = await loadForPrediction(projectId, id);
      return exportTfjs(engineModel);
    },

    async predict(projectId: string, id: string, inputs: unknown[]): Promise<Prediction> {
      const { engineModel, row } = await loadForPrediction(projectId, id);
      const x = flattenInputs(inputs, row.inputShape);
      const y = engineModel.predict(x, inputs.length);
      const width = engineModel.outputSize;
      const outputs = inputs.map((_, i) => Array.from(y.subarray(i * width, (i + 1) * width)));
      if (row.classNames.length === 0) return { outputs };
      const classes = outputs.map(argmax(width));
      return { outputs, classes, classNames: classes.map((c) => row.classNames[c]) };
    },
  };
}

export type ModelService = ReturnType<typeof createModelService>;

/** Index of the largest output; a single sigmoid output means class 1 above 0.5. */
function argmax(width: number) {
  return (output: number[]): number => {
    if (width === 1) return output[0] >= 0.5 ? 1 : 0;
    let best = 0;
    for (let k = 1; k < output.length; k++) if (output[k] > output[best]) best = k;
    return best;
  };
}

export function toModelView(row: Omit<ModelRow, "weights">): TrainedModelView {
  const spec = row.spec as unknown as ModelSpec;
  return {
    id: row.id,
    sourceJobId: row.sourceJobId,
    datasetId: row.datasetId,
    spec,
    layers: summarizeModel(spec).map((layer) => ({ ...layer, frozen: layer.index < (spec.frozenLayers ?? 0) })),
    parameterCount: row.parameterCount,
    inputShape: row.inputShape,
    outputSize: row.outputSize,
    classNames: row.classNames,
    metrics: row.metrics as unknown as TrainedModelView["metrics"],
    weightManifest: row.weightManifest as unknown as TrainedModelView["weightManifest"],
    lineage: row.baseModelId ? { baseModelId: row.baseModelId, ...(row.lineage as { keptLayers: number; droppedLayers: number; addedLayers: number; frozenLayers: number }) } : null,
    createdAt: row.createdAt.toISOString(),
  };
}
