import { TrainingError } from "../errors.js";
import { useExecutor, type KernelExecutor } from "../kernels/executor.js";
import type { NeuralNetwork } from "../model.js";
import type { Optimizer } from "../optimizers/optimizer.js";
import type { BatchGraph } from "./batch-graphs.js";

/**
 * One optimizer step on a batch already loaded into its graph: forward in
 * training mode, backward, update. Returns the batch's mean loss; throws
 * NON_FINITE_LOSS (naming `epoch` and `batch`) before updating anything.
 * Shared by fit() and createTrainer(), so that both step alike.
 */
export function trainStep(network: NeuralNetwork, batch: BatchGraph, optimizer: Optimizer, learningRate: number, executor: KernelExecutor | null, epoch: number, batchNumber: number): number {
  const previous = useExecutor(executor);
  try {
    network.context.training = true;
    batch.graph.forward();
    const loss = batch.loss.data[0];
    if (!Number.isFinite(loss)) {
      throw new TrainingError("NON_FINITE_LOSS", `the loss became ${loss} at epoch ${epoch}, batch ${batchNumber}: training diverged (try a lower learning rate)`, epoch, batchNumber);
    }
    batch.graph.backward();
    optimizer.step(learningRate);
    return loss;
  } finally {
    network.context.training = false;
    useExecutor(previous);
  }
}
