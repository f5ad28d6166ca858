import { Ajv } from "ajv";
import { describe, expect, expectTypeOf, it } from "vitest";
import type * as engine from "../../src/engine/index.js";
import { ACTIVATIONS, BOUNDS, LAYER_TYPES, LOSSES, OPTIMIZERS, checkSpecFitsData, checkTrainingConfig, summarizeModel, type Bound, type BoundName } from "../../src/engine/index.js";
import type { ResolvedTrainingConfig } from "../../src/services/job-validation.js";
import { JobInput } from "../../src/spec/job.js";
import { LayerSpec, type ModelSpec } from "../../src/spec/model-spec.js";
import type { TrainingConfig } from "../../src/spec/training-config.js";

// The API's schemas (src/spec) are built from the engine's names and bounds
// (src/engine/contract.ts). These tests hold the two to one contract: the
// types agree both ways (checked by `npm run typecheck`), and for every
// bound, the API's validation and the engine's accept exactly the same
// values at its edges.

describe("API schemas and engine types", () => {
  it("accept the same specs and configs", () => {
    expectTypeOf<ModelSpec>().toExtend<engine.ModelSpec>();
    expectTypeOf<engine.ModelSpec>().toExtend<ModelSpec>();
    expectTypeOf<ResolvedTrainingConfig>().toExtend<engine.TrainingConfig>();
    expectTypeOf<TrainingConfig["loss"]>().toEqualTypeOf<engine.LossName>();
    expectTypeOf<TrainingConfig["optimizer"]["type"]>().toEqualTypeOf<engine.OptimizerConfig["type"]>();
  });

  it("offer every layer type the engine has, and no other", () => {
    const variants = (LayerSpec as unknown as { oneOf: { properties: { type: { const: string } } }[] }).oneOf.map((v) => v.properties.type.const);
    expect([...variants].sort()).toEqual([...LAYER_TYPES].sort());
  });

  it.each(LOSSES.flatMap((loss) => OPTIMIZERS.map((optimizer) => [loss, optimizer] as const)))("the engine accepts loss %s with optimizer %s", (loss, optimizer) => {
    const regression = loss === "meanSquaredError" || loss === "meanAbsoluteError";
    const binary = loss === "binaryCrossentropy";
    const units = binary || regression ? 1 : 3;
    const spec = { inputShape: [4], layers: [{ type: "dense" as const, units, activation: binary ? ("sigmoid" as const) : regression ? ("linear" as const) : ("softmax" as const) }] };
    const data = { numFeatures: 4, numClasses: regression ? 0 : binary ? 2 : 3, numSamples: 10 };
    const training = { epochs: 1, batchSize: 2, seed: 0, loss, optimizer: { type: optimizer, learningRate: 0.1 } };
    expect(() => checkSpecFitsData(spec, training, data)).not.toThrow();
  });

  it.each(ACTIVATIONS)("the engine accepts activation %s", (activation) => {
    const spec = { inputShape: [4], layers: [{ type: "dense" as const, units: 8, activation }, { type: "dense" as const, units: 3, activation: "softmax" as const }] };
    const training = { epochs: 1, batchSize: 2, seed: 0, loss: "categoricalCrossentropy" as const, optimizer: { type: "sgd" as const, learningRate: 0.1 } };
    expect(() => checkSpecFitsData(spec, training, { numFeatures: 4, numClasses: 3, numSamples: 10 })).not.toThrow();
  });
});

// A job body every check accepts; each case below changes one field of it.
function baseJob(): { datasetId: string; model: any; training: any } {
  return {
    datasetId: "ds_x",
    model: {
      inputShape: [8, 8, 1],
      layers: [
        { type: "conv2d", filters: 2, kernelSize: 3 },
        { type: "maxPool2d", poolSize: 2 },
        { type: "flatten" },
        { type: "dense", units: 8, activation: "relu" },
        { type: "dropout", rate: 0.5 },
        { type: "batchNorm", momentum: 0.9, epsilon: 0.001 },
        { type: "dense", units: 3, activation: "softmax" },
      ],
    },
    training: { epochs: 1, batchSize: 2, seed: 0, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 } },
  };
}

/** Where each bound applies in a job body: a function that puts the value there. */
const placements: Record<BoundName, ((job: ReturnType<typeof baseJob>, value: number) => void)[]> = {
  inputDimension: [(job, v) => (job.model = { inputShape: [v], layers: [{ type: "dense", units: 3, activation: "softmax" }] })],
  inputRank: [], // an array length: checked by the schema's minItems/maxItems and the engine alike, below
  layers: [],
  mergeInputs: [], // a list length: the schema's maxItems on `inputs`; the engine asks merges for two or more (test/unit/graph-models.test.ts)
  // The engine also asks for no more frozen layers than there are: give it the most layers.
  frozenLayers: [(job, v) => (job.model = { inputShape: [4], layers: Array.from({ length: BOUNDS.layers.maximum }, () => ({ type: "dense", units: 3, activation: "softmax" })), frozenLayers: v })],
  units: [
    (job, v) => (job.model.layers[3].units = v),
    (job, v) => (job.model = { inputShape: [3], layers: [{ type: "embedding", inputDim: 5, outputDim: v }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] }),
  ],
  filters: [(job, v) => (job.model.layers[0].filters = v)],
  attentionHeads: [(job, v) => (job.model = { inputShape: [4, 2], layers: [{ type: "multiHeadAttention", numHeads: v, keyDim: 2 }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] })],
  recurrentUnits: [
    (job, v) => (job.model = { inputShape: [4, 2], layers: [{ type: "lstm", units: v }, { type: "dense", units: 3, activation: "softmax" }] }),
    (job, v) => (job.model = { inputShape: [4, 2], layers: [{ type: "gru", units: v, returnSequences: true }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] }),
  ],
  vocabulary: [(job, v) => (job.model = { inputShape: [3], layers: [{ type: "embedding", inputDim: v, outputDim: 2 }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] })],
  // Strides: a window larger than the 8x8 input would fail the engine's shape check, not the bound.
  windowSize: [
    (job, v) => (job.model = { inputShape: [8, 8, 1], layers: [{ type: "conv2d", filters: 2, kernelSize: 1, strides: v }, { type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] }),
    (job, v) => (job.model.layers[1].strides = [1, v]),
  ],
  dropoutRate: [(job, v) => (job.model.layers[4].rate = v)],
  batchNormMomentum: [(job, v) => (job.model.layers[5].momentum = v)],
  batchNormEpsilon: [(job, v) => (job.model.layers[5].epsilon = v)],
  layerNormEpsilon: [(job, v) => job.model.layers.splice(5, 0, { type: "layerNormalization", epsilon: v })],
  epochs: [(job, v) => (job.training.epochs = v)],
  batchSize: [(job, v) => (job.training.batchSize = v)],
  seed: [(job, v) => (job.training.seed = v)],
  validationSplit: [(job, v) => (job.training.validationSplit = v)],
  learningRate: [(job, v) => (job.training.optimizer.learningRate = v)],
  momentum: [(job, v) => (job.training.optimizer = { type: "sgd", learningRate: 0.1, momentum: v })],
  beta1: [(job, v) => (job.training.optimizer.beta1 = v)],
  beta2: [(job, v) => (job.training.optimizer.beta2 = v)],
  epsilon: [(job, v) => (job.training.optimizer.epsilon = v)],
  weightDecay: [(job, v) => (job.training.optimizer = { type: "adamw", learningRate: 0.01, weightDecay: v })],
  clipNorm: [(job, v) => (job.training.optimizer.clipNorm = v)],
  clipValue: [(job, v) => (job.training.optimizer.clipValue = v)],
  warmupEpochs: [(job, v) => (job.training.learningRateSchedule = { type: "cosine", warmupEpochs: v })],
  stepSize: [(job, v) => (job.training.learningRateSchedule = { type: "step", stepSize: v, gamma: 0.5 })],
  gamma: [(job, v) => (job.training.learningRateSchedule = { type: "step", stepSize: 2, gamma: v }), (job, v) => (job.training.learningRateSchedule = { type: "exponential", gamma: v })],
  plateauFactor: [(job, v) => (job.training.learningRateSchedule = { type: "reduceOnPlateau", factor: v })],
  patience: [(job, v) => (job.training.earlyStopping = { patience: v }), (job, v) => (job.training.learningRateSchedule = { type: "reduceOnPlateau", patience: v })],
  cooldown: [(job, v) => (job.training.learningRateSchedule = { type: "reduceOnPlateau", cooldown: v })],
  minDelta: [(job, v) => (job.training.earlyStopping = { minDelta: v }), (job, v) => (job.training.learningRateSchedule = { type: "reduceOnPlateau", minDelta: v })],
  minLearningRate: [(job, v) => (job.training.learningRateSchedule = { type: "cosine", minLearningRate: v })],
  shift: [(job, v) => (job.training.augmentation = { shift: v })],
  rotation: [(job, v) => (job.training.augmentation = { rotation: v })],
  noise: [(job, v) => (job.training.augmentation = { noise: v })],
};

/** Values at and just past each edge of a bound, and a fraction for an integer one. */
function edgeValues(bound: Bound): number[] {
  const step = (edge: number) => (bound.integer ? 1 : Math.max(Math.abs(edge), 1) * 1e-9);
  const values: number[] = [];
  for (const edge of [bound.minimum, bound.exclusiveMinimum, bound.maximum, bound.exclusiveMaximum]) {
    if (edge !== undefined) values.push(edge - step(edge), edge, edge + step(edge));
  }
  if (bound.integer) values.push((bound.minimum ?? 0) + 0.5);
  return values;
}

describe("one bounds table", () => {
  const ajv = new Ajv({ allErrors: false, coerceTypes: false, discriminator: true, strict: false });
  ajv.addFormat("date-time", true);
  const validate = ajv.compile(JobInput);
  const engineAccepts = (job: ReturnType<typeof baseJob>) => {
    try {
      summarizeModel(job.model);
      checkTrainingConfig(job.training);
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === "SpecError") return false;
      throw error;
    }
  };

  it("starts from a job both accept", () => {
    expect(validate(baseJob()), JSON.stringify(validate.errors)).toBe(true);
    expect(engineAccepts(baseJob())).toBe(true);
  });

  it.each(Object.keys(BOUNDS) as BoundName[])("the API and the engine agree on every edge of %s", (name) => {
    for (const place of placements[name]) {
      for (const value of edgeValues(BOUNDS[name])) {
        const job = baseJob();
        place(job, value);
        expect(validate(job), `${name} = ${value}: API`).toBe(engineAccepts(job));
      }
    }
  });

  it("every bound is placed somewhere, or is an array length checked here", () => {
    for (const [name, places] of Object.entries(placements)) {
      if (places.length === 0) expect(["inputRank", "layers", "mergeInputs"]).toContain(name);
    }
    for (const rank of [0, 1, 3, 4]) {
      const job = baseJob();
      job.model = { inputShape: Array(rank).fill(2), layers: [{ type: "flatten" }, { type: "dense", units: 3, activation: "softmax" }] };
      expect(validate(job), `rank ${rank}`).toBe(engineAccepts(job));
    }
    for (const count of [BOUNDS.layers.maximum, BOUNDS.layers.maximum + 1]) {
      const job = baseJob();
      job.model = { inputShape: [4], layers: Array.from({ length: count }, () => ({ type: "dense", units: 3, activation: "softmax" })) };
      expect(validate(job), `${count} layers`).toBe(engineAccepts(job));
    }
    for (const count of [BOUNDS.mergeInputs.maximum, BOUNDS.mergeInputs.maximum + 1]) {
      const job = baseJob();
      const branch = { type: "dense", units: 3, activation: "relu", name: "b" };
      job.model = { inputShape: [4], layers: [branch, { type: "concatenate", inputs: Array(count).fill("b") }, { type: "dense", units: 3, activation: "softmax" }] };
      expect(validate(job), `${count} merge inputs`).toBe(engineAccepts(job));
    }
  });
});
