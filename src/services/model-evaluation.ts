// The labelled samples a model is evaluated on (POST /v1/models/:id/evaluate):
// a stored dataset, or raw rows with their labels, turned into the model's
// inputs and targets the way its training data was.

import type { Database } from "../db/client.js";
import { bytesToFloat32 } from "../db/float32.js";
import { DescentError, invalid, pointerSegment } from "../errors.js";
import { labelledSamples } from "./time-series-samples.js";
import { FeatureError, decodeTable, transformRecords, transformTable, type DroppedRows, type FittedPipeline } from "../features/index.js";

export interface LabelledSamples {
  x: Float32Array;
  /** Class indices, or regression targets (in the pipeline's target scaling). */
  y: Float32Array;
  count: number;
  /** Rows left out (no label, a class the model does not know, a value it cannot fill in). */
  dropped: DroppedRows;
}

const nothingDropped = (): DroppedRows => ({ missingLabel: 0, unknownLabel: 0, missingValue: {} });

/** Raw rows with their label column through the model's pipeline; rows it cannot use are left out and counted. */
export function labelledRows(pipeline: FittedPipeline | null, rows: Record<string, unknown>[], modelId: string): LabelledSamples {
  if (!pipeline) throw invalid("/rows", `model ${modelId} was trained on numbers, not on a table: evaluate it on a dataset (datasetId)`);
  try {
    const result = transformRecords(pipeline, rows, { labels: true, onMissing: "drop" });
    return { ...labelledSamples(pipeline, result), dropped: result.dropped };
  } catch (error) {
    if (!(error instanceof FeatureError)) throw error;
    const path = `/rows${error.row !== undefined ? `/${error.row}` : ""}${error.column !== undefined ? `/${pointerSegment(error.column)}` : ""}`;
    throw invalid(path, error.problem);
  }
}

/** A stored dataset of the project, in the model's inputs: a matrix as stored, a table through the model's pipeline. */
export async function datasetSamples(
  db: Database,
  args: { projectId: string; datasetId: string; pipeline: FittedPipeline | null; inputSize: number; classNames: string[] },
): Promise<LabelledSamples> {
  const { projectId, datasetId, pipeline, inputSize, classNames } = args;
  const row = await db.dataset.findFirst({ where: { id: datasetId, projectId, deletedAt: null }, omit: { features: false, labels: false, table: false } });
  if (!row) throw invalid("/datasetId", `dataset ${datasetId} does not exist`);
  if (row.kind === "table") {
    if (!pipeline) throw invalid("/datasetId", `dataset ${datasetId} is a table; this model was trained on numbers and has no pipeline to read it`);
    const table = decodeTable(row.table!);
    const result = transformTable(pipeline, table, Int32Array.from({ length: table.numRows }, (_, i) => i));
    return { ...labelledSamples(pipeline, result), dropped: result.dropped };
  }
  if (row.numFeatures !== inputSize) throw invalid("/datasetId", `dataset ${datasetId}'s samples have ${row.numFeatures} values; the model takes ${inputSize}`);
  if (classNames.length !== row.classNames.length || classNames.some((name, k) => row.classNames[k] !== name)) {
    throw invalid("/datasetId", `dataset ${datasetId}'s classes (${row.classNames.join(", ") || "none: regression"}) are not the model's (${classNames.join(", ") || "none: regression"})`);
  }
  return { x: bytesToFloat32(row.features), y: bytesToFloat32(row.labels), count: row.numSamples, dropped: nothingDropped() };
}

export function assertSomethingToEvaluate(samples: LabelledSamples): void {
  if (samples.count === 0) throw new DescentError("VALIDATION_FAILED", "no row could be evaluated (each lacked a label the model knows, or a value it cannot fill in)", [{ path: "(body)", message: "no usable row" }]);
}
