import { readCategories } from "../../column-reader.js";
import { codesByFrequency, countCodes } from "../../column-statistics.js";
import { FeatureError } from "../../errors.js";
import type { Column } from "../../table.js";
import { bad, type ResolvedConfig } from "../config.js";
import type { CategoryFeature, OutputColumn } from "../types.js";
import { indicatorOutput, missingHandling, type FeatureWriter } from "./writer.js";

/**
 * The training rows' values seen at least minCount times, the most frequent
 * maxCategories of them, each a one-hot column; an "other" column when some
 * values were left out (rare, or past the cap), for them and for values never seen.
 */
export function fitCategory(column: Column, rows: ArrayLike<number>, config: ResolvedConfig, offset: number): CategoryFeature {
  const { codes, values } = readCategories(column);
  const counts = countCodes(codes, values.length, rows);
  const order = codesByFrequency(counts, (code) => values[code]);
  if (order.length === 0) throw new FeatureError("NO_DATA", "the column has no value in the training rows", { column: column.name });
  const categories = order.filter((code) => counts[code] >= config.minCount).slice(0, config.maxCategories).map((code) => values[code]);
  const other = categories.length < order.length;
  let fill: string | null = null;
  if (config.missing === "mostFrequent") fill = values[order[0]];
  if (config.missing === "constant") {
    if (config.fillValue === undefined) bad(column.name, "the constant strategy of a category column needs a fillValue");
    fill = String(config.fillValue);
  }
  const seen = rows.length - counts.reduce((a, b) => a + b, 0);
  const missing = missingHandling(config, fill, seen);
  if (config.encoding === "ids") {
    return { type: "category", column: column.name, offset, width: 1 + (missing.indicator ? 1 : 0), missing, categories, other, encoding: "ids" };
  }
  const width = categories.length + (other ? 1 : 0) + (missing.indicator ? 1 : 0);
  return { type: "category", column: column.name, offset, width, missing, categories, other };
}

export function categoryOutputs(feature: CategoryFeature): OutputColumn[] {
  const { column } = feature;
  if (feature.encoding === "ids") {
    const ids: OutputColumn = { name: `${column} (id)`, column, encoding: "categoryId" };
    return feature.missing.indicator ? [ids, indicatorOutput(column)] : [ids];
  }
  const outputs: OutputColumn[] = feature.categories.map((value) => ({ name: `${column}=${value}`, column, encoding: "oneHot", value }));
  if (feature.other) outputs.push({ name: `${column}=(other)`, column, encoding: "other" });
  if (feature.missing.indicator) outputs.push(indicatorOutput(column));
  return outputs;
}

export function categoryWriter(feature: CategoryFeature, column: Column): FeatureWriter {
  const { codes, values } = readCategories(column);
  const slots = new Map(feature.categories.map((value, slot) => [value, slot]));
  const unseen = feature.other ? feature.categories.length : -1; // -1: all zeros
  const slotOf = Int32Array.from(values, (value) => slots.get(value) ?? unseen);
  const fillSlot = typeof feature.missing.fill === "string" ? (slots.get(feature.missing.fill) ?? unseen) : -1;
  if (feature.encoding === "ids") {
    return {
      missing: (row) => codes[row] < 0,
      write(row, out, at) {
        const code = codes[row];
        const slot = code < 0 ? fillSlot : slotOf[code];
        out[at] = slot >= 0 && slot < feature.categories.length ? slot + 1 : 0;
        if (feature.missing.indicator && code < 0) out[at + 1] = 1;
      },
    };
  }
  const indicatorAt = feature.categories.length + (feature.other ? 1 : 0);
  return {
    missing: (row) => codes[row] < 0,
    write(row, out, at) {
      const code = codes[row];
      const slot = code < 0 ? fillSlot : slotOf[code];
      if (slot >= 0) out[at + slot] = 1;
      if (feature.missing.indicator && code < 0) out[at + indicatorAt] = 1;
    },
  };
}
