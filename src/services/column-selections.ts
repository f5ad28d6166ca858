// A table job's model may pick its input's columns by name (selectColumns
// with columns or exceptColumns): resolved here into the positions of the
// job's feature pipeline, which the engine reads. Embeddings must read ids
// (category columns with encoding "ids") and know all of them.

import type { LayerSummary } from "../engine/index.js";
import { DescentError } from "../errors.js";
import type { FittedPipeline } from "../features/index.js";
import type { ModelSpec } from "../spec/model-spec.js";

function invalidAt(path: string, message: string): DescentError {
  return new DescentError("INVALID_SPEC", `${path}: ${message}`, [{ path, message }]);
}

/** The column each position of the input's last axis comes from (a time series' steps: the features, then the label's past). */
function inputColumnNames(pipeline: FittedPipeline): string[] {
  const names = pipeline.outputs.map((output) => output.column);
  if (pipeline.timeSeries?.pastLabel) names.push(pipeline.label.column);
  return names;
}

export function resolveColumnSelections(model: ModelSpec, pipeline: FittedPipeline | null): ModelSpec {
  if (!model.layers.some((layer) => layer.type === "selectColumns" && (layer.columns || layer.exceptColumns))) return model;
  const layers = model.layers.map((layer, index) => {
    if (layer.type !== "selectColumns" || (!layer.columns && !layer.exceptColumns)) return layer;
    const path = `/model/layers/${index}`;
    if (!pipeline) throw invalidAt(`${path}/${layer.columns ? "columns" : "exceptColumns"}`, "columns are named on a table; this dataset is a matrix: give indices (positions of the input's last axis)");
    if (layer.columns && layer.exceptColumns) throw invalidAt(`${path}/exceptColumns`, "give columns or exceptColumns, not both");
    const names = inputColumnNames(pipeline);
    const field = layer.columns ? "columns" : "exceptColumns";
    const listed = (layer.columns ?? layer.exceptColumns)!;
    listed.forEach((name, i) => {
      if (!names.includes(name)) throw invalidAt(`${path}/${field}/${i}`, `${JSON.stringify(name)} is not an input column of this job (they are: ${[...new Set(names)].join(", ")})`);
    });
    const indices = layer.columns
      ? layer.columns.flatMap((name) => names.flatMap((column, position) => (column === name ? [position] : [])))
      : names.flatMap((column, position) => (layer.exceptColumns!.includes(column) ? [] : [position]));
    if (indices.length === 0) throw invalidAt(`${path}/exceptColumns`, "leaves no input column");
    return { ...layer, indices };
  });
  return { ...model, layers };
}

/**
 * On a table, what an embedding reads must be category ids, and its inputDim
 * must cover them (categories + 1): a 400 before queueing, not a failed job.
 */
export function checkEmbeddingsReadIds(model: ModelSpec, summaries: LayerSummary[], pipeline: FittedPipeline | null): void {
  if (!pipeline) return;
  const names = inputColumnNames(pipeline);
  const idsOf = new Map(pipeline.features.flatMap((feature) => (feature.type === "category" && feature.encoding === "ids" ? [[feature.column, feature.categories.length + 1] as const] : [])));
  model.layers.forEach((layer, index) => {
    if (layer.type !== "embedding") return;
    const source = summaries[index].inputs[0];
    const from = source >= 0 ? model.layers[source] : null;
    const positions = from?.type === "selectColumns" ? from.indices! : names.map((_, position) => position);
    for (const position of positions) {
      const column = names[position];
      const ids = pipeline.outputs[position]?.encoding === "categoryId" ? idsOf.get(column) : undefined;
      if (ids === undefined) {
        const hint = `give it {"encoding": "ids"} in training.features (a category column) and select its ids`;
        throw invalidAt(`/model/layers/${index}`, `embedding reads input position ${position} (${column}), which is not a category's ids: ${hint}`);
      }
      if (layer.inputDim < ids) {
        throw invalidAt(`/model/layers/${index}/inputDim`, `${column} has ${ids} ids (${ids - 1} categories, and 0 for any other value): inputDim must be at least ${ids}`);
      }
    }
  });
}
