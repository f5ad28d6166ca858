import { Prisma, type Database, type Model as ModelRow } from "../db/client.js";
import { ExportError, createModel, describeInvalidId, embeddingIdLimit, exportTfjs, findInvalidId, importWeights, summarizeModel, type ModelSpec } from "../engine/index.js";
import { DescentError, notFound, pointerSegment } from "../errors.js";
import { FeatureError, decodePipeline, targetFromOutput, transformRecords, type DroppedRows, type FittedPipeline } from "../features/index.js";
import type { ModelForPrediction, OverfitTask } from "../prediction/protocol.js";
import { decodeLineage, decodeModelMetrics, decodeModelSpec, decodeWeightManifest } from "../db/json-columns.js";
import type { LabelsPatchView } from "../spec/common.js";
import type { TrainedModelView } from "../spec/model.js";
import { flattenInputs } from "./predict-inputs.js";
import { forecastCount, forecastInputs } from "./time-series-samples.js";
import { evaluateOutputs, type Evaluation } from "./evaluation.js";
import { assertSomethingToEvaluate, datasetSamples, labelledRows } from "./model-evaluation.js";
import { pageOf, type Page, type PageRequest } from "./pagination.js";

export interface Prediction {
  outputs: number[][];
  classes?: number[];
  classNames?: string[];
  probabilities?: Record<string, number>[];
  values?: number[];
}

/**
 * Runs a stored model's forward pass somewhere other than the API's event
 * loop (src/prediction's thread pool); rejects with a DescentError when it
 * cannot (busy, too slow).
 */
export interface PredictionRunner {
  /** `x` holds n inputs, row-major; resolves with n outputs, row-major. */
  predict(model: ModelForPrediction, x: Float32Array, n: number): Promise<Float32Array>;
  /** A fresh model trained `steps` times on one batch (the dry run's overfitOneBatch); resolves with the loss after each step. */
  overfit(task: Omit<OverfitTask, "kind" | "taskId">): Promise<Float32Array>;
}

// A prediction needs the weights out of Postgres; keep the few most recently
// used models' weights in shared memory, which the prediction threads read
// without a copy. Weights of a stored model never change.
const CACHE_SIZE = 8;

interface LoadedModel {
  row: Omit<ModelRow, "weights">;
  /** Models trained on a table: how raw rows become inputs. */
  pipeline: FittedPipeline | null;
  forPrediction: ModelForPrediction;
  /** Forward FLOPs of one sample, for the compute budget. */
  flopsPerSample: number;
}

/** Samples one evaluation may take (each chunk of them is a prediction within the compute budget). */
const maxEvaluationSamples = 1_000_000;

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
      pipeline: row.pipeline === null ? null : decodePipeline(row.pipeline),
      forPrediction: { id, spec, manifest: decodeWeightManifest(row.weightManifest, `model ${id}'s weight manifest`), weights: shared },
      flopsPerSample: summarizeModel(spec).reduce((sum, layer) => sum + layer.flops, 0),
    };
    cache.set(id, loaded);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return loaded;
  }

  /** All of x (n inputs) through the model, a budget's worth of rows per prediction task. */
  async function predictInChunks(loaded: LoadedModel, x: Float32Array, n: number): Promise<Float32Array> {
    const inputSize = x.length / Math.max(1, n);
    const chunk = Math.max(1, Math.floor(maxPredictFlops / Math.max(1, loaded.flopsPerSample)));
    const outputs = new Float32Array(n * loaded.row.outputSize);
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const y = await runner.predict(loaded.forPrediction, x.slice(start * inputSize, (start + count) * inputSize), count);
      outputs.set(y, start * loaded.row.outputSize);
    }
    return outputs;
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
    async list(projectId: string, page: PageRequest & { tag?: string; fingerprint?: string }): Promise<Page<TrainedModelView>> {
      const rows = await db.model.findMany({
        where: { projectId, ...(page.tag ? { tags: { has: page.tag } } : {}), ...(page.fingerprint ? { fingerprint: page.fingerprint } : {}), ...(page.cursor ? { id: { lt: page.cursor } } : {}) },
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

    /** Replaces the labels given (name, description, tags). */
    async relabel(projectId: string, id: string, patch: LabelsPatchView): Promise<TrainedModelView> {
      const { count } = await db.model.updateMany({ where: { id, projectId }, data: patch });
      if (count === 0) throw notFound("model", id);
      return this.get(projectId, id);
    },

    /** Deletes a model and its registry versions; refused (409) while an alias points to one of them. */
    async remove(projectId: string, id: string): Promise<void> {
      const row = await db.model.findFirst({ where: { id, projectId }, select: { id: true } });
      if (!row) throw notFound("model", id);
      const aliased = await db.modelAlias.findMany({ where: { version: { modelId: id } }, include: { registeredModel: true, version: true } });
      const refuse = (names: string[]) =>
        new DescentError("CONFLICT", `model ${id} is what ${names.join(", ")} points to: move or delete the alias first (PUT or DELETE /v1/registered-models/{name}/aliases/{alias})`);
      if (aliased.length > 0) throw refuse(aliased.map((a) => `${a.registeredModel.name}@${a.alias} (version ${a.version.version})`).sort());
      try {
        await db.model.delete({ where: { id } });
      } catch (error) {
        // An alias pointed at one of its versions since the check (the foreign key holds).
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003") throw refuse(["an alias set meanwhile"]);
        throw error;
      }
      cache.delete(id);
    },

    /** The weights as stored: little-endian float32, laid out by weightManifest. */
    async weights(projectId: string, id: string): Promise<Uint8Array> {
      const row = await db.model.findFirst({ where: { id, projectId }, select: { weights: true } });
      if (!row) throw notFound("model", id);
      return row.weights;
    },

    /** The feature pipeline of a model trained on a table. */
    async pipeline(projectId: string, id: string): Promise<NonNullable<TrainedModelView["pipeline"]>> {
      const { pipeline } = await load(projectId, id);
      if (!pipeline) throw new DescentError("NOT_FOUND", `model ${id} was trained on numbers and has no feature pipeline`);
      return pipeline as NonNullable<TrainedModelView["pipeline"]>;
    },

    /** The TensorFlow.js layers format: model.json (weights manifest path "weights.bin", beside it) and weights.bin. */
    async tfjs(projectId: string, id: string) {
      const { forPrediction } = await load(projectId, id);
      const engineModel = createModel(forPrediction.spec, 0);
      importWeights(engineModel, forPrediction.manifest, new Uint8Array(forPrediction.weights));
      try {
        return exportTfjs(engineModel);
      } catch (error) {
        if (!(error instanceof ExportError)) throw error;
        throw new DescentError("NOT_EXPORTABLE", `model ${id}: ${error.message}`, [{ path: `/spec/layers/${error.layerIndex}`, message: error.message }]);
      }
    },

    /**
     * Metrics of the model on labelled samples: a dataset of the project, or
     * raw rows with their label (models trained on a table). Predictions run
     * on the prediction threads in chunks within the compute budget.
     */
    async evaluate(projectId: string, id: string, body: { datasetId: string } | { rows: Record<string, unknown>[] }): Promise<Evaluation & { dropped: DroppedRows }> {
      const loaded = await load(projectId, id);
      const { row, pipeline } = loaded;
      const samples =
        "rows" in body
          ? labelledRows(pipeline, body.rows, id)
          : await datasetSamples(db, { projectId, datasetId: body.datasetId, pipeline, inputSize: row.inputShape.reduce((a, b) => a * b, 1), classNames: row.classNames });
      assertSomethingToEvaluate(samples);
      if (samples.count > maxEvaluationSamples) {
        throw new DescentError("LIMIT_EXCEEDED", `${samples.count} samples; one evaluation takes at most ${maxEvaluationSamples}`, [{ path: "(body)", message: `at most ${maxEvaluationSamples} samples` }]);
      }
      const outputs = await predictInChunks(loaded, samples.x, samples.count);
      const toUnits = pipeline && pipeline.label.task === "regression" ? (value: number) => targetFromOutput(pipeline, value) : undefined;
      return { ...evaluateOutputs({ outputs, targets: samples.y, classNames: row.classNames, toUnits }), dropped: samples.dropped };
    },

    /** `inputs`: encoded vectors (any model); `rows`: raw rows through the model's feature pipeline (models trained on a table). */
    async predict(projectId: string, id: string, body: { inputs: unknown[] } | { rows: Record<string, unknown>[] }): Promise<Prediction> {
      const loaded = await load(projectId, id);
      const { row, pipeline } = loaded;
      const timeSeries = "rows" in body ? pipeline?.timeSeries : undefined;
      const count = "rows" in body ? (timeSeries ? forecastCount(timeSeries, body.rows.length) : body.rows.length) : body.inputs.length;
      checkBudget(loaded, count);
      const x = "rows" in body ? rowsToInputs(pipeline, body.rows, id) : flattenInputs(body.inputs, row.inputShape);
      checkEmbeddingIds(loaded.forPrediction.spec, x, count);
      const y = await runner.predict(loaded.forPrediction, x, count);
      const width = row.outputSize;
      const outputs = Array.from({ length: count }, (_, i) => Array.from(y.subarray(i * width, (i + 1) * width)));
      if (row.classNames.length === 0) {
        return pipeline ? { outputs, values: outputs.map((output) => targetFromOutput(pipeline, output[0])) } : { outputs };
      }
      const classes = outputs.map(argmax(width));
      const probabilities = outputs.map((output) => probabilitiesByName(output, row.classNames));
      return { outputs, classes, classNames: classes.map((c) => row.classNames[c]), probabilities };
    },
  };
}

export type ModelService = ReturnType<typeof createModelService>;

function formatFlops(flops: number): string {
  return flops >= 1e9 ? `${(flops / 1e9).toPrecision(3)} GFLOP` : flops >= 1e6 ? `${(flops / 1e6).toPrecision(3)} MFLOP` : `${Math.round(flops)} FLOP`;
}

/** Inputs an embedding cannot look up are a 400 at /inputs/<sample>/<position>, before any thread runs them. */
function checkEmbeddingIds(spec: ModelSpec, x: Float32Array, count: number): void {
  const invalid = findInvalidId(embeddingIdLimit(spec), x, count);
  if (!invalid) return;
  const path = `/inputs/${invalid.sample}/${invalid.position}`;
  throw new DescentError("VALIDATION_FAILED", `${path}: ${describeInvalidId(invalid)}`, [{ path, message: describeInvalidId(invalid) }]);
}

/** Raw rows through a model's pipeline; a value it cannot take is a 400 at /rows/<row>/<column>. */
function rowsToInputs(pipeline: FittedPipeline | null, rows: Record<string, unknown>[], id: string): Float32Array {
  if (!pipeline) {
    const message = `model ${id} was trained on numbers, not on a table: send inputs (arrays of its input size), not rows`;
    throw new DescentError("VALIDATION_FAILED", message, [{ path: "/rows", message }]);
  }
  try {
    return pipeline.timeSeries ? forecastInputs(pipeline, pipeline.timeSeries, rows).x : transformRecords(pipeline, rows, { onMissing: "error" }).x;
  } catch (error) {
    if (!(error instanceof FeatureError)) throw error;
    const path = `/rows${error.row !== undefined ? `/${error.row}` : ""}${error.column !== undefined ? `/${pointerSegment(error.column)}` : ""}`;
    throw new DescentError("VALIDATION_FAILED", `${path}: ${error.problem}`, [{ path, message: error.problem }]);
  }
}

/** Each class's probability by name; one sigmoid output is class 1's probability. */
function probabilitiesByName(output: number[], classNames: string[]): Record<string, number> {
  if (output.length === 1 && classNames.length === 2) return { [classNames[0]]: 1 - output[0], [classNames[1]]: output[0] };
  return Object.fromEntries(classNames.map((name, k) => [name, output[k]]));
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
    name: row.name,
    description: row.description,
    tags: row.tags,
    fingerprint: row.fingerprint,
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
    ...(row.pipeline === null ? {} : { pipeline: decodePipeline(row.pipeline) as TrainedModelView["pipeline"] }),
    createdAt: row.createdAt.toISOString(),
  };
}
