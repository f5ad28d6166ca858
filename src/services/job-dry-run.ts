// POST /v1/jobs?dryRun=true: what a job would train and cost, from the
// checks a submission makes (the layers come from the same shape inference),
// and the warnings a careful engineer would give. The time estimate is a
// model of an epoch (a cost per step plus a cost per FLOP) fitted to this
// installation's latest finished jobs, or an assumed 5 GFLOP/s before any.

import { Prisma, type Database } from "../db/client.js";
import { summarizeModel, TRAINING_FLOPS_FACTOR, type LayerSummary } from "../engine/index.js";
import type { FieldError } from "../errors.js";
import type { DryRunView, JobInput } from "../spec/job.js";
import type { DataReportView } from "../spec/dataset.js";
import type { ModelSpec } from "../spec/model-spec.js";
import type { ResolvedTrainingConfig } from "./job-validation.js";

const BYTES = 4;
const DEFAULT_GFLOPS = 5;
const RECENT_JOBS = 30;
/** Optimizer state per trainable weight: Adam's two moments, momentum or a running square, or none. */
const STATE_SLOTS: Record<string, (momentum: number) => number> = { adam: () => 2, adamw: () => 2, rmsprop: (m) => (m > 0 ? 2 : 1), adagrad: () => 1, sgd: (m) => (m > 0 ? 1 : 0) };
/** Learning rates outside these are rarely what one means (from the optimizers' papers and defaults). */
const USUAL_RATES: Record<string, [number, number]> = { sgd: [1e-4, 1], adam: [1e-5, 3e-2], adamw: [1e-5, 3e-2], rmsprop: [1e-5, 3e-2], adagrad: [1e-4, 1] };
/** A dense layer reading more values than this from a convolution is usually a missing pooling layer. */
const LARGE_DENSE_INPUT = 4096;

interface Prepared {
  input: JobInput;
  /** The dataset's data report (null for datasets from before reports). */
  report: DataReportView | null;
  /** Validation rows of this job's split whose features equal a training row's (null: no split to check). */
  leakedRows: number | null;
  training: ResolvedTrainingConfig;
  shape: { numSamples: number; inputShape: number[] };
  layers: LayerSummary[];
  frozenLayers: number;
}

const flat = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface EpochModel {
  /** Seconds per optimizer step (batch overhead: graph, copies, optimizer) and per training GFLOP. */
  perStep: number;
  perGflop: number;
  jobs: number;
}

/**
 * An epoch's training time as `perStep x steps + perGflop x GFLOP`, fitted by
 * least squares (coefficients kept non-negative) to the latest finished jobs'
 * epochs: small batches pay the per-step cost, large layers the FLOPs.
 */
async function fittedEpochModel(db: Database): Promise<EpochModel | null> {
  const rows = await db.$queryRaw<{ spec: Prisma.JsonValue; validationSplit: number | null; batchSize: number; numSamples: number; epochMs: number }[]>`
    SELECT m."spec", (j."training"->>'validationSplit')::float AS "validationSplit", (j."training"->>'batchSize')::int AS "batchSize", d."numSamples", avg(e."durationMs") AS "epochMs"
    FROM "Model" m JOIN "TrainingJob" j ON j."id" = m."sourceJobId" JOIN "Dataset" d ON d."id" = j."datasetId" JOIN "EpochMetric" e ON e."jobId" = j."id"
    GROUP BY m."id", j."id", d."id" ORDER BY m."createdAt" DESC LIMIT ${RECENT_JOBS}`;
  const points = rows
    .map((row) => {
      const forward = summarizeModel(row.spec as unknown as ModelSpec).reduce((sum, layer) => sum + layer.flops, 0);
      const samples = row.numSamples * (1 - (row.validationSplit ?? 0));
      return { steps: Math.ceil(samples / row.batchSize), gflop: (TRAINING_FLOPS_FACTOR * forward * samples) / 1e9, seconds: Number(row.epochMs) / 1000 };
    })
    .filter((p) => Number.isFinite(p.seconds) && p.seconds > 0 && p.steps > 0);
  if (points.length === 0) return null;
  const sum = (f: (p: (typeof points)[number]) => number) => points.reduce((acc, p) => acc + f(p), 0);
  const [ss, gg, sg, st, gt] = [sum((p) => p.steps ** 2), sum((p) => p.gflop ** 2), sum((p) => p.steps * p.gflop), sum((p) => p.steps * p.seconds), sum((p) => p.gflop * p.seconds)];
  const det = ss * gg - sg * sg;
  const both = det > 1e-12 * ss * gg ? { perStep: (st * gg - gt * sg) / det, perGflop: (gt * ss - st * sg) / det } : null;
  const error = (m: { perStep: number; perGflop: number }) => sum((p) => (m.perStep * p.steps + m.perGflop * p.gflop - p.seconds) ** 2);
  const candidates = [{ perStep: st / ss, perGflop: 0 }, { perStep: 0, perGflop: gg > 0 ? gt / gg : 0 }];
  if (both && both.perStep >= 0 && both.perGflop >= 0) candidates.push(both);
  const best = candidates.reduce((a, b) => (error(b) < error(a) ? b : a));
  return { ...best, jobs: points.length };
}

function warningsFor(prepared: Prepared, trainingSamples: number): FieldError[] {
  const { input, training, layers } = prepared;
  const warnings: FieldError[] = [];
  const { type, learningRate } = training.optimizer;
  const [low, high] = USUAL_RATES[type] ?? [0, Infinity];
  if (learningRate < low || learningRate > high) {
    warnings.push({ path: "/training/optimizer/learningRate", message: `learningRate ${learningRate} is far from the usual range for ${type} (${low} to ${high})` });
  }
  if (training.batchSize > trainingSamples / 10) {
    warnings.push({ path: "/training/batchSize", message: `batchSize ${training.batchSize} is more than a tenth of the ${trainingSamples} training samples: an epoch is only ${Math.ceil(trainingSamples / training.batchSize)} step(s)` });
  }
  if (!(training.validationSplit > 0) && !training.testSplit) {
    warnings.push({ path: "/training/validationSplit", message: "no validation samples: overfitting will not show in the metrics" });
  }
  let afterConv = false;
  for (const layer of layers) {
    if (layer.type.startsWith("conv")) afterConv = true;
    if (layer.type !== "dense" || !afterConv) continue;
    const source = layer.inputs[0] >= 0 ? layers[layer.inputs[0]] : null;
    const reads = source ? flat(source.outputShape) : 0;
    if (reads > LARGE_DENSE_INPUT) {
      const share = Math.round((100 * layer.parameterCount) / layers.reduce((sum, l) => sum + l.parameterCount, 0));
      warnings.push({ path: `/model/layers/${layer.index}`, message: `dense layer ${layer.index} reads ${reads} values from a convolution's output: its ${layer.parameterCount} parameters are ${share}% of the model; a pooling layer before it would shrink it` });
    }
  }
  if (input.model && "layers" in input.model && input.model.layers.length === 0) warnings.push({ path: "/model/layers", message: "the model has no layers" });
  return [...warnings, ...dataWarnings(prepared)];
}

/** What the dataset's report says that concerns this job. */
function dataWarnings({ report, training, leakedRows }: Prepared): FieldError[] {
  const warnings: FieldError[] = [];
  if (leakedRows !== null && leakedRows > 0) {
    warnings.push({ path: "/training/validationSplit", message: `${leakedRows} validation rows of this split have the features of a training row: the validation metrics partly measure training rows (remove the dataset's duplicates)` });
  }
  if (!report) return warnings;
  for (const leak of report.likelyLeaks) {
    warnings.push({ path: "/datasetId", message: `column ${leak.name} predicts the label almost alone (${leak.measure} ${leak.value}): a likely leak; check it is known when predicting` });
  }
  if (report.classBalance && report.classBalance.ratio >= 10 && training.classWeight === undefined) {
    warnings.push({ path: "/training/classWeight", message: `the largest class has ${report.classBalance.ratio}x the rows of the smallest: "balanced" class weights keep the small classes from being ignored` });
  }
  return warnings;
}

export async function dryRunReport(db: Database, prepared: Prepared): Promise<DryRunView> {
  const { training, shape, layers, frozenLayers } = prepared;
  const layerViews = layers.map((layer) => ({
    index: layer.index,
    type: layer.type,
    ...(layer.name ? { name: layer.name } : {}),
    outputShape: layer.outputShape,
    parameters: layer.parameterCount,
    trainable: layer.index >= frozenLayers,
    flops: layer.flops,
  }));
  const total = layerViews.reduce((sum, l) => sum + l.parameters, 0);
  const trainable = layerViews.reduce((sum, l) => sum + (l.trainable ? l.parameters : 0), 0);
  const forward = layers.reduce((sum, l) => sum + l.flops, 0);
  const validation = Math.round(shape.numSamples * (training.validationSplit ?? 0));
  const trainingSamples = shape.numSamples - validation;

  const slots = STATE_SLOTS[training.optimizer.type]?.(training.optimizer.momentum ?? 0) ?? 2;
  const values = flat(shape.inputShape) + layers.reduce((sum, l) => sum + flat(l.outputShape), 0);
  const memory = { weights: total * BYTES, gradients: trainable * BYTES, optimizerState: slots * trainable * BYTES, activations: 2 * values * training.batchSize * BYTES };

  const fitted = await fittedEpochModel(db);
  const model = fitted ?? { perStep: 0, perGflop: 1 / DEFAULT_GFLOPS, jobs: 0 };
  // Training passes over the training samples (and a forward pass over the validation samples, at the same rate per FLOP).
  const steps = Math.ceil(trainingSamples / training.batchSize);
  const gflop = (TRAINING_FLOPS_FACTOR * forward * trainingSamples + forward * validation) / 1e9;
  const secondsPerEpoch = model.perStep * steps + model.perGflop * gflop;
  return {
    layers: layerViews,
    parameters: { total, trainable },
    flopsPerSample: { forward, backward: (TRAINING_FLOPS_FACTOR - 1) * forward, training: TRAINING_FLOPS_FACTOR * forward },
    memoryBytes: memory.weights + memory.gradients + memory.optimizerState + memory.activations,
    memory,
    samples: { training: trainingSamples, validation },
    estimate: {
      secondsPerEpoch,
      seconds: secondsPerEpoch * training.epochs,
      basis: fitted ? "recent jobs" : "default",
      jobsMeasured: model.jobs,
      msPerStep: 1000 * model.perStep,
      gflopsPerSecond: model.perGflop > 0 ? 1 / model.perGflop : 0,
    },
    validationCopies: prepared.leakedRows,
    warnings: warningsFor(prepared, trainingSamples),
  };
}
