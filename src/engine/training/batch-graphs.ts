import type { NeuralNetwork } from "../model.js";
import { Graph, Tensor } from "../tensor.js";
import type { LossName } from "../types.js";
import { buildLoss, lossFusesFinalActivation } from "./loss-functions.js";
import type { EncodedTargets } from "./targets.js";

/** Inputs with their targets already in the loss' form. */
export interface EncodedDataset {
  x: Float32Array;
  targets: EncodedTargets;
}

/** The graph of one batch size: copy a batch into `input` and `target`, run forward (and backward). */
export interface BatchGraph {
  rows: number;
  input: Tensor;
  target: Tensor;
  /** Model output; logits when the loss fuses the final activation. */
  output: Tensor;
  loss: Tensor;
  graph: Graph;
  /** Class index per row, gathered with the batch (accuracy). */
  labels: Int32Array;
}

/**
 * Graphs keyed by batch size, built once over persistent buffers: an epoch
 * uses at most two (full batches and the last, shorter one), so training
 * allocates nothing per batch once they exist.
 */
export class BatchGraphs {
  private readonly graphs = new Map<number, BatchGraph>();
  readonly outputIsLogits: boolean;

  constructor(
    private readonly network: NeuralNetwork,
    private readonly lossName: LossName,
    private readonly targets: EncodedTargets,
  ) {
    this.outputIsLogits = lossFusesFinalActivation(lossName);
  }

  get(rows: number): BatchGraph {
    let batch = this.graphs.get(rows);
    if (batch === undefined) {
      const input = this.network.inputTensor(rows);
      const target = Tensor.zeros([rows, this.targets.width]);
      const output = this.network.buildForward(input, this.outputIsLogits);
      const loss = buildLoss(this.lossName, output, target, this.targets.sparse);
      batch = { rows, input, target, output, loss, graph: new Graph([output], loss), labels: new Int32Array(rows) };
      this.graphs.set(rows, batch);
    }
    return batch;
  }

  /** Copies the samples order[start .. start + rows) of a dataset into the batch's input, target and labels buffers. */
  load(batch: BatchGraph, dataset: EncodedDataset, order: Int32Array, start: number): void {
    const inputSize = this.network.inputSize;
    const { x, targets } = dataset;
    const width = targets.width;
    const values = targets.values;
    const labels = targets.labels;
    const input = batch.input.data;
    const target = batch.target.data;
    // Plain loops rather than set(subarray()): a subarray is a new object per row.
    for (let r = 0; r < batch.rows; r++) {
      const sample = order[start + r];
      const from = sample * inputSize;
      const to = r * inputSize;
      for (let j = 0; j < inputSize; j++) input[to + j] = x[from + j];
      for (let j = 0; j < width; j++) target[r * width + j] = values[sample * width + j];
      if (labels !== null) batch.labels[r] = labels[sample];
    }
  }
}
