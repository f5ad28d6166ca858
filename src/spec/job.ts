import { Type, type Static } from "typebox";
import { bounded } from "./bounds.js";
import { LabelFields, LabelViewFields, LabelsPatch } from "./common.js";
import { JobModel, JobModelInput } from "./model-spec.js";
import { TrainingConfig } from "./training-config.js";

export const jobStatuses = ["queued", "running", "succeeded", "failed", "cancelled", "paused"] as const;
export const JobStatus = Type.Enum(jobStatuses);

export const JobInput = Type.Object(
  {
    datasetId: Type.String({ minLength: 1, maxLength: 64 }),
    model: JobModelInput,
    training: TrainingConfig,
    ...LabelFields,
  },
  {
    additionalProperties: false,
    title: "JobInput",
    examples: [
      {
        datasetId: "ds_01jf3k2m9q8r7s6t5v4w",
        model: { inputShape: [2], layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
        training: { epochs: 300, batchSize: 4, seed: 1, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.5 } },
      },
    ],
  },
);
export type JobInput = Static<typeof JobInput>;

export const BestMetrics = Type.Object(
  {
    loss: Type.Number(),
    accuracy: Type.Optional(Type.Number()),
    valLoss: Type.Optional(Type.Number()),
    valAccuracy: Type.Optional(Type.Number()),
    mae: Type.Optional(Type.Number({ description: "Regression: mean absolute error on the training rows, in the label's units." })),
    valMae: Type.Optional(Type.Number()),
  },
  { title: "BestMetrics", description: "The best epoch's metrics so far, by the job's early-stopping monitor (valLoss with validation, else loss, by default)." },
);

export const StatusChange = Type.Object(
  {
    status: JobStatus,
    at: Type.String({ format: "date-time" }),
    message: Type.String(),
  },
  { title: "StatusChange" },
);

/** What PATCH /v1/jobs/:id may change in a job that has not ended, from its next epoch boundary. */
export const LiveTrainingChanges = Type.Object(
  {
    optimizer: Type.Optional(
      Type.Object({ learningRate: bounded("learningRate", { description: "The new base rate; a schedule goes on from it (reduceOnPlateau's current rate becomes it)." }) }, { additionalProperties: false }),
    ),
    epochs: Type.Optional(bounded("epochs", { description: "Epochs in all; above the epochs completed. Cosine's span follows." })),
    earlyStopping: Type.Optional(Type.Object({ patience: bounded("patience") }, { additionalProperties: false, description: "Only for a job trained with early stopping." })),
  },
  { additionalProperties: false, minProperties: 1, title: "LiveTrainingChanges" },
);
export type LiveTrainingChanges = Static<typeof LiveTrainingChanges>;

export const JobPatch = Type.Object(
  { ...LabelsPatch.properties, training: Type.Optional(LiveTrainingChanges) },
  {
    additionalProperties: false,
    minProperties: 1,
    title: "JobPatch",
    examples: [{ tags: ["baseline"] }, { training: { optimizer: { learningRate: 0.0003 }, epochs: 60, earlyStopping: { patience: 8 } } }],
  },
);
export type JobPatch = Static<typeof JobPatch>;

export const ForkInput = Type.Object(
  {
    fromEpoch: Type.Integer({ minimum: 1, description: "The source's epoch to start after: its kept checkpoint (CHECKPOINTS_KEPT latest epochs) is the fork's first." }),
    training: Type.Optional(LiveTrainingChanges),
    ...LabelFields,
  },
  {
    additionalProperties: false,
    title: "ForkInput",
    examples: [{ fromEpoch: 12 }, { fromEpoch: 12, training: { optimizer: { learningRate: 0.0001 }, epochs: 40 } }],
  },
);
export type ForkInput = Static<typeof ForkInput>;

/** One PATCH of a job's training, as its history and event stream show it. */
export const TrainingChange = Type.Object(
  {
    at: Type.String({ format: "date-time" }),
    epoch: Type.Integer({ description: "Epochs completed when it was asked: it applies from the next epoch boundary the worker reaches (a paused job: when it resumes)." }),
    fields: Type.Array(
      Type.Object({ path: Type.String({ examples: ["/training/optimizer/learningRate"] }), from: Type.Union([Type.Number(), Type.Null()]), to: Type.Number() }, { additionalProperties: false }),
    ),
  },
  { title: "TrainingChange" },
);

export type TrainingChangeView = Static<typeof TrainingChange>;

/** What a verification job found (POST /v1/models/{id}/verify). */
export const Verification = Type.Object(
  {
    modelId: Type.String(),
    identical: Type.Boolean({ description: "The retrained weights are the stored ones, bit for bit." }),
    differingValues: Type.Integer({ description: "Weight values (float32) whose bits differ." }),
    maxAbsDifference: Type.Union([Type.Number(), Type.Null()], { description: "The largest difference; null when one side is not a number." }),
  },
  { additionalProperties: false, title: "Verification" },
);

export const JobError = Type.Object(
  {
    code: Type.String({ examples: ["NON_FINITE_LOSS", "INVALID_SPEC", "DATASET_MISSING", "TIME_LIMIT_EXCEEDED", "INTERNAL"] }),
    message: Type.String(),
    epoch: Type.Optional(Type.Integer()),
    batch: Type.Optional(Type.Integer()),
  },
  { title: "JobError" },
);

export const Job = Type.Object(
  {
    id: Type.String(),
    ...LabelViewFields,
    sweepId: Type.Union([Type.String(), Type.Null()], { description: "The sweep this job is a trial of (GET /v1/sweeps/{id} has its parameters)." }),
    fingerprint: Type.Union([Type.String(), Type.Null()], {
      description: "sha256 of what decides the trained weights: the dataset's checksum, the resolved model and training config (seed included), the engine's numerics version and kernel path. Jobs with the same fingerprint train the same bits; GET /v1/jobs?fingerprint= finds them. Null for jobs from before fingerprints.",
    }),
    status: JobStatus,
    datasetId: Type.String(),
    model: JobModel,
    training: TrainingConfig,
    epoch: Type.Integer({ description: "Epochs completed so far." }),
    totalEpochs: Type.Integer(),
    attempt: Type.Integer({ description: "How many times a worker has started this job." }),
    bestMetrics: Type.Union([BestMetrics, Type.Null()]),
    error: Type.Union([JobError, Type.Null()]),
    resultModelId: Type.Union([Type.String(), Type.Null()]),
    cancelRequested: Type.Boolean({ description: "A cancel was requested; the worker stops at the next batch." }),
    pauseRequested: Type.Boolean({ description: "A pause was requested; the worker pauses the job at the next batch (status `paused`)." }),
    history: Type.Array(StatusChange, { description: "Every status the job has had, oldest first." }),
    verifiesModelId: Type.Union([Type.String(), Type.Null()], { description: "A verification job (POST /v1/models/{id}/verify): the model whose run it repeats from scratch." }),
    verification: Type.Union([Verification, Type.Null()], { description: "A verification job's result, once it has succeeded." }),
    forkedFrom: Type.Union([Type.Object({ jobId: Type.String(), epoch: Type.Integer() }, { additionalProperties: false }), Type.Null()], {
      description: "A fork: the job and epoch it started from (its metrics up to that epoch are the source's).",
    }),
    checkpoints: Type.Object(
      { count: Type.Integer(), bytes: Type.Integer() },
      { additionalProperties: false, description: "The epoch checkpoints kept for forks (the latest CHECKPOINTS_KEPT epochs), and their size in bytes." },
    ),
    trainingChanges: Type.Array(TrainingChange, { description: "Every change of its training by PATCH while it ran, oldest first; `training` has the values now in force." }),
    createdAt: Type.String({ format: "date-time" }),
    startedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
    finishedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  },
  {
    title: "Job",
    examples: [
      {
        id: "job_01jf3k2m9q8r7s6t5v4w",
        name: "xor, sgd 0.5",
        description: "",
        tags: ["toy"],
        sweepId: null,
        fingerprint: "5d1f0a7c9e3b2a8f4c6d0e1b7a9f3c5e8d2b4a6c0e9f1d3b5a7c9e2f4a6b8d0c",
        status: "succeeded",
        datasetId: "ds_01jf3k2m9q8r7s6t5v4w",
        model: { inputShape: [2], layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 2, activation: "softmax" }] },
        training: { epochs: 300, batchSize: 4, seed: 1, loss: "categoricalCrossentropy", optimizer: { type: "sgd", learningRate: 0.5 }, validationSplit: 0, shuffle: true, timeLimitSeconds: 86400 },
        epoch: 300,
        totalEpochs: 300,
        attempt: 1,
        bestMetrics: { loss: 0.012, accuracy: 1 },
        error: null,
        resultModelId: "mdl_01jf3k2m9q8r7s6t5v4w",
        cancelRequested: false,
        pauseRequested: false,
        verifiesModelId: null,
        verification: null,
        forkedFrom: null,
        checkpoints: { count: 20, bytes: 412_160 },
        trainingChanges: [],
        history: [
          { status: "queued", at: "2025-01-01T12:00:00.000Z", message: "submitted" },
          { status: "running", at: "2025-01-01T12:00:00.050Z", message: "attempt 1" },
          { status: "succeeded", at: "2025-01-01T12:00:00.600Z", message: "trained 300 epochs" },
        ],
        createdAt: "2025-01-01T12:00:00.000Z",
        startedAt: "2025-01-01T12:00:00.050Z",
        finishedAt: "2025-01-01T12:00:00.600Z",
      },
    ],
  },
);
export type JobView = Static<typeof Job>;

export const EpochMetric = Type.Object(
  {
    epoch: Type.Integer({ description: "Counts from 1." }),
    loss: Type.Number(),
    accuracy: Type.Union([Type.Number(), Type.Null()]),
    valLoss: Type.Union([Type.Number(), Type.Null()]),
    valAccuracy: Type.Union([Type.Number(), Type.Null()]),
    mae: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: "Regression: mean absolute error of the epoch's training batches." })),
    valMae: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: "Regression: mean absolute error on the validation samples." })),
    learningRate: Type.Number(),
    durationMs: Type.Number({ description: "Training time of the epoch, without validation." }),
  },
  {
    title: "EpochMetric",
    examples: [{ epoch: 4, loss: 0.29, accuracy: 0.91, valLoss: 0.33, valAccuracy: 0.9, learningRate: 0.001, durationMs: 412 }],
  },
);
export type EpochMetricView = Static<typeof EpochMetric>;

const Series = Type.Array(Type.Array(Type.Union([Type.Number(), Type.Null()])), { description: "One series per job, in the jobs' order: a value per epoch, null where that job has none." });

export const JobComparison = Type.Object(
  {
    jobs: Type.Array(Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]), status: JobStatus, epochs: Type.Integer({ description: "Epochs with metrics." }) })),
    epochs: Type.Array(Type.Integer(), { description: "1 .. the most epochs of any of the jobs: the x axis of every series." }),
    metrics: Type.Object({ loss: Series, accuracy: Series, valLoss: Series, valAccuracy: Series, mae: Series, valMae: Series, learningRate: Series }),
    differences: Type.Array(
      Type.Object({ path: Type.String({ description: "JSON pointer into the job's {datasetId, model, training}." }), values: Type.Array(Type.Unknown(), { description: "A value per job (null where it has no such setting)." }) }),
      { description: "The settings whose values differ between the jobs, by path." },
    ),
  },
  {
    title: "JobComparison",
    examples: [
      {
        jobs: [
          { id: "job_01jf3k2m9q8r7s6t5v4w", name: "lr 0.01", status: "succeeded", epochs: 3 },
          { id: "job_01jf3k2m9q8r7s6t5v4x", name: "lr 0.001", status: "succeeded", epochs: 2 },
        ],
        epochs: [1, 2, 3],
        metrics: { loss: [[0.9, 0.5, 0.3], [0.95, 0.8, null]], accuracy: [[0.6, 0.8, 0.9], [0.55, 0.6, null]], valLoss: [[null, null, null], [null, null, null]], valAccuracy: [[null, null, null], [null, null, null]], mae: [[null, null, null], [null, null, null]], valMae: [[null, null, null], [null, null, null]], learningRate: [[0.01, 0.01, 0.01], [0.001, 0.001, null]] },
        differences: [{ path: "/training/epochs", values: [3, 2] }, { path: "/training/optimizer/learningRate", values: [0.01, 0.001] }],
      },
    ],
  },
);
export type JobComparisonView = Static<typeof JobComparison>;

export const DryRun = Type.Object(
  {
    layers: Type.Array(
      Type.Object({
        index: Type.Integer(),
        type: Type.String(),
        name: Type.Optional(Type.String()),
        outputShape: Type.Array(Type.Integer()),
        parameters: Type.Integer(),
        trainable: Type.Boolean({ description: "False for the layers transfer learning (or frozenLayers) keeps frozen." }),
        flops: Type.Number({ description: "Forward floating-point operations per sample." }),
      }),
    ),
    parameters: Type.Object({ total: Type.Integer(), trainable: Type.Integer() }),
    flopsPerSample: Type.Object({ forward: Type.Number(), backward: Type.Number(), training: Type.Number() }, { description: "A multiply-add counts 2; the backward pass is counted as twice the forward (input and weight gradients)." }),
    memoryBytes: Type.Integer({ description: "Peak training memory at the batch size: the sum of `memory`." }),
    memory: Type.Object(
      { weights: Type.Integer(), gradients: Type.Integer(), optimizerState: Type.Integer(), activations: Type.Integer({ description: "Every layer's output for a batch, and its gradient, float32." }) },
      { description: "float32 throughout." },
    ),
    samples: Type.Object({ training: Type.Integer(), validation: Type.Integer() }),
    estimate: Type.Object({
      secondsPerEpoch: Type.Number(),
      seconds: Type.Number({ description: "All epochs (early stopping may end sooner)." }),
      basis: Type.Union([Type.Literal("recent jobs"), Type.Literal("default")], {
        description: "recent jobs: seconds per epoch = msPerStep x steps + GFLOP / gflopsPerSecond, fitted (least squares) to the epochs of this installation's latest 30 jobs; default: none yet, an assumed 5 GFLOP/s.",
      }),
      jobsMeasured: Type.Integer(),
      msPerStep: Type.Number({ description: "The fitted cost of one optimizer step, besides its FLOPs." }),
      gflopsPerSecond: Type.Number({ description: "The fitted training throughput (0: the fit put all the time on steps)." }),
    }),
    overfitOneBatch: Type.Optional(
      Type.Union(
        [
          Type.Object(
            {
              batchSize: Type.Integer(),
              steps: Type.Integer(),
              losses: Type.Array(Type.Number(), { description: "The batch's loss after each step." }),
              decreased: Type.Boolean({ description: "The last loss is below half the first: the model can fit one batch." }),
            },
            { additionalProperties: false },
          ),
          Type.Null(),
        ],
        { description: "With ?overfitOneBatch=true: a fresh model trained on the first batch of training rows; null for transfer learning (not run)." },
      ),
    ),
    validationCopies: Type.Union([Type.Integer(), Type.Null()], {
      description: "Validation rows of this job's split (its seed, validationSplit, stratify) whose features equal a training row's: leakage between the two. Null without validation, and for time series.",
    }),
    warnings: Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), { description: "What a careful engineer would point out; the job would still run." }),
  },
  {
    title: "DryRun",
    examples: [
      {
        layers: [
          { index: 0, type: "dense", outputShape: [8], parameters: 24, trainable: true, flops: 40 },
          { index: 1, type: "dense", outputShape: [2], parameters: 18, trainable: true, flops: 34 },
        ],
        parameters: { total: 42, trainable: 42 },
        flopsPerSample: { forward: 74, backward: 148, training: 222 },
        memoryBytes: 1312,
        memory: { weights: 168, gradients: 168, optimizerState: 336, activations: 640 },
        samples: { training: 4, validation: 0 },
        estimate: { secondsPerEpoch: 0.0002, seconds: 0.06, basis: "recent jobs", jobsMeasured: 12, msPerStep: 0.05, gflopsPerSecond: 3.1 },
        validationCopies: null,
        warnings: [{ path: "/training/batchSize", message: "batchSize 4 is more than a tenth of the 4 training samples: an epoch is a step or two" }],
      },
    ],
  },
);
export type DryRunView = Static<typeof DryRun>;
