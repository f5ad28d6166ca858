import { Type, type Static } from "typebox";
import { JobModelInput } from "./model-spec.js";
import { TrainingConfig } from "./training-config.js";

// Hyperparameter sweeps: a base job, a search space over it by JSON pointer,
// a metric and goal, a budget, a method, and optional early termination.

const Range = Type.Object(
  { min: Type.Number(), max: Type.Number(), distribution: Type.Union([Type.Literal("uniform"), Type.Literal("logUniform"), Type.Literal("intUniform")]) },
  { additionalProperties: false },
);
const Values = Type.Object({ values: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 100 }) }, { additionalProperties: false });

export const CreateSweep = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    base: Type.Object({ datasetId: Type.String({ minLength: 1, maxLength: 64 }), model: JobModelInput, training: TrainingConfig }, { additionalProperties: false }),
    parameters: Type.Record(Type.String({ pattern: "^/(model|training)/" }), Type.Union([Values, Range]), {
      description: "JSON pointer into base -> {values: [...]} or {min, max, distribution}.",
      minProperties: 1,
      maxProperties: 20,
    }),
    metric: Type.Union([Type.Literal("valLoss"), Type.Literal("valAccuracy"), Type.Literal("loss"), Type.Literal("accuracy"), Type.Literal("valMae"), Type.Literal("mae")]),
    goal: Type.Union([Type.Literal("minimize"), Type.Literal("maximize")]),
    method: Type.Union([Type.Literal("grid"), Type.Literal("random"), Type.Literal("tpe")]),
    maxTrials: Type.Integer({ minimum: 1, maximum: 1000 }),
    maxParallel: Type.Integer({ minimum: 1, maximum: 100 }),
    earlyTermination: Type.Optional(
      Type.Object(
        {
          type: Type.Literal("asha"),
          minEpochs: Type.Integer({ minimum: 1 }),
          reductionFactor: Type.Integer({ minimum: 2, maximum: 10 }),
          mode: Type.Optional(
            Type.Enum(["promote", "stop"], {
              description:
                "promote (default): a trial waits at each rung, paused with its checkpoint, until it is among the best 1/reductionFactor of the trials that reached the rung, then resumes; those still waiting when no other trial can come are pruned. " +
                "stop: a trial outside the best 1/reductionFactor of those that reached the rung before it stops there; the others train on without waiting.",
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  },
  {
    additionalProperties: false,
    title: "CreateSweep",
    examples: [
      {
        name: "xor learning rate",
        base: { datasetId: "ds_01jf3k2m9q8r7s6t5v4w", model: { layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] }, training: { epochs: 40, batchSize: 4, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 }, validationSplit: 0.25 } },
        parameters: { "/training/optimizer/learningRate": { min: 0.0001, max: 0.1, distribution: "logUniform" }, "/model/layers/0/units": { values: [4, 8, 16] } },
        metric: "valLoss",
        goal: "minimize",
        method: "tpe",
        maxTrials: 20,
        maxParallel: 2,
        earlyTermination: { type: "asha", minEpochs: 5, reductionFactor: 3 },
        seed: 7,
      },
    ],
  },
);
export type CreateSweepView = Static<typeof CreateSweep>;

const TrialStatus = Type.Union([Type.Literal("pending"), Type.Literal("queued"), Type.Literal("running"), Type.Literal("succeeded"), Type.Literal("failed"), Type.Literal("cancelled"), Type.Literal("paused"), Type.Literal("waiting"), Type.Literal("pruned")], {
  description: "waiting: paused at a rung until successive halving promotes it (it then resumes from its checkpoint) or prunes it.",
});

export const SweepTrial = Type.Object({
  number: Type.Integer(),
  jobId: Type.Union([Type.String(), Type.Null()]),
  parameters: Type.Record(Type.String(), Type.Unknown()),
  status: TrialStatus,
  metric: Type.Union([Type.Number(), Type.Null()], { description: "The best value of the sweep's metric over the trial's epochs so far." }),
  epochs: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
});

export const Sweep = Type.Object(
  {
    id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union([Type.Literal("running"), Type.Literal("completed"), Type.Literal("cancelled")]),
    metric: Type.String(),
    goal: Type.String(),
    method: Type.String(),
    maxTrials: Type.Integer(),
    maxParallel: Type.Integer(),
    trials: Type.Array(SweepTrial),
    best: Type.Union([Type.Object({ jobId: Type.String(), modelId: Type.Union([Type.String(), Type.Null()]), parameters: Type.Record(Type.String(), Type.Unknown()), metric: Type.Number() }), Type.Null()]),
    epochsTrained: Type.Integer({ description: "Epochs of all trials together." }),
    createdAt: Type.String({ format: "date-time" }),
    finishedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  },
  {
    title: "Sweep",
    examples: [
      {
        id: "swp_01hx...",
        name: "xor learning rate",
        status: "completed",
        metric: "valLoss",
        goal: "minimize",
        method: "tpe",
        maxTrials: 2,
        maxParallel: 2,
        trials: [
          { number: 0, jobId: "job_01hx...a", parameters: { "/training/optimizer/learningRate": 0.02 }, status: "succeeded", metric: 0.05, epochs: 40, error: null },
          { number: 1, jobId: "job_01hx...b", parameters: { "/training/optimizer/learningRate": 0.0003 }, status: "pruned", metric: 0.61, epochs: 5, error: null },
        ],
        best: { jobId: "job_01hx...a", modelId: "mdl_01hx...", parameters: { "/training/optimizer/learningRate": 0.02 }, metric: 0.05 },
        epochsTrained: 45,
        createdAt: "2026-12-03T07:00:00.000Z",
        finishedAt: "2026-12-03T07:00:09.000Z",
      },
    ],
  },
);
export type SweepView = Static<typeof Sweep>;
export type SweepTrialView = Static<typeof SweepTrial>;
