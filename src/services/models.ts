import type { Database, Model as ModelRow } from "../db/client.js";
import { createModel, exportTfjs, importWeights, summarizeModel } from "../engine/index.js";
import { DescentError, notFound } from "../errors.js";
import type { ModelForPrediction } from "../prediction/protocol.js";
import { decodeLineage, decodeModelMetrics, decodeModelSpec, decodeWeightManifest } from "../db/json-columns.js";
import type { TrainedModelView } from "../spec/model.js";
import { flattenInputs } from "./predict-inputs.js";
import { pageOf, type Page, type PageRequest } from "./pagination.js";

export interface Prediction {
  outputs: number[][];
  classes?: number[];
  classNames?: string[];
}

/**
 * Runs a stored model's forward pass somewhere other than the API's event
 * loop (src/prediction's thread pool); rejects with a DescentError when it
 * cannot (busy, too slow).
 */
export interface PredictionRunner {
  /** `x` holds n inputs, row-major; resolves with n outputs, row-major. */
  predict(model: ModelForPrediction, x: Float32Array, n: number): Promise<Float32Array>;
}

// A prediction needs the weights out of Postgres; keep the few most recently
// used models' weights in shared memory, which the prediction threads read
// without a copy. Weights of a stored model never change.
const CACHE_SIZE = 8;

interface LoadedModel {
  row: Omit<ModelRow, "weights">;
  forPrediction: ModelForPrediction;
  /** Forward FLOPs of one sample, for the compute budget. */
  flopsPerSample: number;
}

export function createModelService({ db, runner, maxPredictFlops }: { db: Database; runner: PredictionRunner; maxPredictFlops: number }) {
  const cache = new Map<string, LoadedModel>();

  async function load(projectId: string, id: string): Promise<LoadedModel> {
    const cached = cache.get(id);
    if (cached && cached.row.projectId === projectId) {
      cache.delete(id);
      cache.set(id, cached);
      return cached;
    }
    const row = await db.model.findFirst({ where: { id, projectId }, omit: { weights: false } });
    if (!row) throw notFound("model", id);
    const { weights, ...rest } = row;
    const shared = new SharedArrayBuffer(weights.byteLength);
    new Uint8Array(shared).set(weights);
    const spec = decodeModelSpec(row.spec, `model ${id}'s spec`);
    const loaded: LoadedModel = {
      row: rest,
      forPrediction: { id, spec, manifest: decodeWeightManifest(row.weightManifest, `model ${id}'s weight manifest`), weights: shared },
      flopsPerSample: summarizeModel(spec).reduce((sum, layer) => sum + layer.flops, 0),
    };
    cache.set(id, loaded);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return loaded;
  }

  /** 422 when `rows` inputs would cost more than one request may ask. */
  function checkBudget(loaded: LoadedModel, rows: number): void {
    const flops = loaded.flopsPerSample * rows;
    if (flops <= maxPredictFlops) return;
    const most = Math.max(1, Math.floor(maxPredictFlops / loaded.flopsPerSample));
    const message = `${rows} inputs x ${formatFlops(loaded.flopsPerSample)} per input = ${formatFlops(flops)}; one request may ask ${formatFlops(maxPredictFlops)}: send at most ${most} inputs per request`;
    throw new DescentError("LIMIT_EXCEEDED", message, [{ path: "/inputs", message }]);
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
      const { forPrediction } = await load(projectId, id);
      const engineModel = createModel(forPrediction.spec, 0);
      importWeights(engineModel, forPrediction.manifest, new Uint8Array(forPrediction.weights));
      return exportTfjs(engineModel);
    },

    async predict(projectId: string, id: string, inputs: unknown[]): Promise<Prediction> {
      const loaded = await load(projectId, id);
      const { row } = loaded;
      checkBudget(loaded, inputs.length);
      const x = flattenInputs(inputs, row.inputShape);
      const y = await runner.predict(loaded.forPrediction, x, inputs.length);
      const width = row.outputSize;
      const outputs = inputs.map((_, i) => Array.from(y.subarray(i * width, (i + 1) * width)));
      if (row.classNames.length === 0) return { outputs };
      const classes = outputs.map(argmax(width));
      return { outputs, classes, classNames: classes.map((c) => row.classNames[c]) };
    },
  };
}

export type ModelService = ReturnType<typeof createModelService>;

function formatFlops(flops: number): string {
  return flops >= 1e9 ? `${(flops / 1e9).toPrecision(3)} GFLOP` : flops >= 1e6 ? `${(flops / 1e6).toPrecision(3)} MFLOP` : `${Math.round(flops)} FLOP`;
}

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
  const spec = decodeModelSpec(row.spec, `model ${row.id}'s spec`);
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
    metrics: decodeModelMetrics(row.metrics, `model ${row.id}'s metrics`),
    weightManifest: decodeWeightManifest(row.weightManifest, `model ${row.id}'s weight manifest`),
    lineage: row.baseModelId ? decodeLineage({ baseModelId: row.baseModelId, ...(row.lineage as object) }, `model ${row.id}'s lineage`) : null,
    createdAt: row.createdAt.toISOString(),
  };
}
