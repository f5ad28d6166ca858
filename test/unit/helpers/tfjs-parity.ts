import * as tf from "@tensorflow/tfjs";
import { createModel, createTrainer, exportTfjs, type ModelSpec, type TfjsExport } from "../../../src/engine/index.js";
import { Prng } from "../../../src/engine/random.js";

/** An IOHandler that reads the export the way tfjs' http loader reads model.json: weights found through weightsManifest paths. */
export function fromExport({ modelJson, weightsBin }: TfjsExport): tf.io.IOHandler {
  const files: Record<string, Uint8Array> = { "weights.bin": weightsBin };
  const json = JSON.parse(JSON.stringify(modelJson)) as tf.io.ModelJSON; // what a client would receive
  return {
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = manifest.flatMap((group) => group.paths.map((path) => files[path]));
        const data = tf.io.concatenateArrayBuffers(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
        return [specs, data];
      }),
  };
}

export interface ParityReport {
  /** Largest |descent - tfjs| over the outputs of the initial weights. */
  forward: number;
  /** |descent - tfjs| of the mean loss of one SGD step on the batch (not with `step: false`). */
  loss?: number;
  /** Largest |descent - tfjs| over the outputs after that step (so every weight's update counts). */
  afterStep?: number;
}

/**
 * The same model in descent and in TensorFlow.js (loaded from descent's export,
 * so on the same weights), the same batch: outputs, then one plain SGD step
 * with a softmax cross-entropy over `classes`, then outputs again. `step: false`
 * compares outputs only (for what tfjs cannot train, e.g. dilated convolutions).
 */
export async function tfjsParity(
  spec: ModelSpec,
  options: { classes: number; batch?: number; learningRate?: number; seed?: number; inputValue?: (rng: Prng) => number; step?: boolean },
): Promise<ParityReport> {
  const { classes, batch = 16, learningRate = 0.1, seed = 3, inputValue = (rng) => rng.nextFloat() * 2 - 1, step = true } = options;
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  const rng = new Prng(seed);
  const x = Float32Array.from({ length: batch * size }, () => inputValue(rng));
  const y = Float32Array.from({ length: batch }, () => rng.nextInt(classes));
  const model = createModel(spec, seed);
  const loaded = await tf.loadLayersModel(fromExport(exportTfjs(model)));
  const input = tf.tensor(x, [batch, ...spec.inputShape]);
  const labels = tf.tensor(y, [batch, 1]);
  try {
    const theirs = async () => {
      const output = loaded.predict(input) as tf.Tensor;
      const values = await output.data();
      output.dispose();
      return values;
    };
    const forward = maxDifference(model.predict(x, batch), await theirs());
    if (!step) return { forward };
    const ourLoss = createTrainer(model, { loss: "sparseCategoricalCrossentropy", optimizer: { type: "sgd", learningRate } }).trainOnBatch(x, y, batch);
    loaded.compile({ optimizer: tf.train.sgd(learningRate), loss: "sparseCategoricalCrossentropy" });
    const theirLoss = (await loaded.trainOnBatch(input, labels)) as number;
    return { forward, loss: Math.abs(ourLoss - theirLoss), afterStep: maxDifference(model.predict(x, batch), await theirs()) };
  } finally {
    input.dispose();
    labels.dispose();
    loaded.dispose();
  }
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`outputs of ${a.length} and ${b.length} values`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
