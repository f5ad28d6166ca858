import type { NeuralNetwork } from "../model.js";
import { AbsoluteErrorCounter } from "./absolute-error.js";
import { AccuracyCounter } from "./accuracy.js";
import type { BatchGraphs, EncodedDataset } from "./batch-graphs.js";
import { argmax } from "./targets.js";

export interface Evaluation {
  loss: number;
  accuracy?: number;
  /** Regression: the mean absolute error. */
  mae?: number;
}

/**
 * Loss and accuracy over the given samples, in evaluation mode (no dropout,
 * running batchNorm statistics). When `predictedClasses` is given, the
 * predicted class of each sample is written into it (in `samples` order).
 */
export function evaluate(network: NeuralNetwork, graphs: BatchGraphs, dataset: EncodedDataset, samples: Int32Array, batchSize: number, predictedClasses?: Int32Array): Evaluation {
  network.context.training = false;
  const accuracy = new AccuracyCounter(dataset.targets.accuracy, network.outputSize, graphs.outputIsLogits);
  const absoluteError = new AbsoluteErrorCounter(dataset.targets.accuracy === null && !graphs.outputIsLogits);
  let lossSum = 0;
  for (let start = 0; start < samples.length; start += batchSize) {
    const batch = graphs.get(Math.min(batchSize, samples.length - start));
    graphs.load(batch, dataset, samples, start);
    batch.graph.forward();
    lossSum += batch.loss.data[0] * batch.rows;
    accuracy.add(batch.output.data, batch.rows, batch.labels, batch.target.data);
    absoluteError.add(batch.output.data, batch.target.data, batch.rows * network.outputSize);
    if (predictedClasses) writePredictedClasses(batch.output.data, batch.rows, network.outputSize, graphs.outputIsLogits, predictedClasses, start);
  }
  const evaluation: Evaluation = { loss: lossSum / samples.length };
  if (dataset.targets.accuracy !== null) evaluation.accuracy = accuracy.value;
  if (absoluteError.value !== undefined) evaluation.mae = absoluteError.value;
  return evaluation;
}

function writePredictedClasses(output: Float32Array, rows: number, cols: number, logits: boolean, into: Int32Array, start: number): void {
  for (let r = 0; r < rows; r++) {
    into[start + r] = cols === 1 ? (output[r] > (logits ? 0 : 0.5) ? 1 : 0) : argmax(output, r * cols, cols);
  }
}
