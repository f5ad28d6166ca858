import type { NeuralNetwork } from "../model.js";
import { countCorrect } from "./accuracy.js";
import type { BatchGraphs } from "./batchGraphs.js";
import type { EncodedTargets } from "./targets.js";

export interface Evaluation {
  loss: number;
  accuracy?: number;
}

/** Loss and accuracy over the given samples, in evaluation mode (no dropout, running batchNorm statistics). */
export function evaluate(network: NeuralNetwork, graphs: BatchGraphs, targets: EncodedTargets, x: Float32Array, samples: Int32Array, batchSize: number): Evaluation {
  network.context.training = false;
  let lossSum = 0;
  let correct = 0;
  let total = 0;
  for (let start = 0; start < samples.length; start += batchSize) {
    const batch = graphs.get(Math.min(batchSize, samples.length - start));
    graphs.load(batch, x, samples, start);
    batch.graph.forward();
    lossSum += batch.loss.data[0] * batch.rows;
    const counted = countCorrect(targets.accuracy, batch.output.data, batch.rows, network.outputSize, batch.labels, batch.target.data, graphs.outputIsLogits);
    correct += counted.correct;
    total += counted.total;
  }
  const evaluation: Evaluation = { loss: lossSum / samples.length };
  if (targets.accuracy !== null) evaluation.accuracy = correct / total;
  return evaluation;
}
