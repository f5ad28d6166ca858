import { readCategories } from "../../column-reader.js";
import { compareText, countCodes } from "../../column-statistics.js";
import { FeatureError, quoteValue } from "../../errors.js";
import type { Column } from "../../table.js";
import { bad, type ResolvedConfig } from "../config.js";
import type { BinaryFeature, OutputColumn } from "../types.js";
import { indicatorOutput, missingHandling, type FeatureWriter } from "./writer.js";

const POSITIVE_WORDS = new Set(["true", "yes", "y", "t", "1", "positive", "pos", "on"]);

/** The positive value: a yes-word (true, yes, 1, ...), else the larger number, else the later text. */
export function positiveOf(values: [string, string]): [negative: string, positive: string] {
  const [a, b] = values;
  if (POSITIVE_WORDS.has(a.toLowerCase()) !== POSITIVE_WORDS.has(b.toLowerCase())) return POSITIVE_WORDS.has(a.toLowerCase()) ? [b, a] : [a, b];
  const numeric = Number.isFinite(Number(a)) && Number.isFinite(Number(b)) && a !== "" && b !== "";
  const aFirst = numeric ? Number(a) < Number(b) : compareText(a, b) < 0;
  return aFirst ? [a, b] : [b, a];
}

export function fitBinary(column: Column, rows: ArrayLike<number>, config: ResolvedConfig, offset: number): BinaryFeature {
  const { codes, values } = readCategories(column);
  const counts = countCodes(codes, values.length, rows);
  if (values.length > 2) {
    throw new FeatureError("TYPE_MISMATCH", `${quoteValue(values[2])} is a third value; a binary column has two`, { row: codes.indexOf(2), column: column.name });
  }
  if (values.length < 2) throw new FeatureError("NO_DATA", `a binary column needs two values; it has ${values.length}`, { column: column.name });
  // Both values come from the whole column (a type is structural); counts from the training rows only.
  const [negative, positive] = positiveOf([values[0], values[1]]);
  let fill: string | null = null;
  if (config.missing === "mostFrequent") {
    const countOf = (value: string) => counts[values.indexOf(value)];
    fill = countOf(positive) > countOf(negative) ? positive : negative;
  }
  if (config.missing === "constant") {
    fill = String(config.fillValue);
    if (fill !== positive && fill !== negative) bad(column.name, `fillValue must be ${quoteValue(negative)} or ${quoteValue(positive)}`);
  }
  const seen = rows.length - counts.reduce((a, b) => a + b, 0);
  const missing = missingHandling(config, fill, seen);
  return { type: "binary", column: column.name, offset, width: missing.indicator ? 2 : 1, missing, negative, positive };
}

export function binaryOutputs(feature: BinaryFeature): OutputColumn[] {
  const outputs: OutputColumn[] = [{ name: `${feature.column}=${feature.positive}`, column: feature.column, encoding: "binary", value: feature.positive }];
  if (feature.missing.indicator) outputs.push(indicatorOutput(feature.column));
  return outputs;
}

export function binaryWriter(feature: BinaryFeature, column: Column): FeatureWriter {
  const { codes, values } = readCategories(column);
  // 1, 0, or -1 for a value that is neither (an error when a row holds it).
  const bitOf = Int32Array.from(values, (value) => (value === feature.positive ? 1 : value === feature.negative ? 0 : -1));
  const fillBit = feature.missing.fill === feature.positive ? 1 : 0;
  return {
    missing: (row) => codes[row] < 0,
    write(row, out, at) {
      const code = codes[row];
      const bit = code < 0 ? fillBit : bitOf[code];
      if (bit < 0) {
        throw new FeatureError("TYPE_MISMATCH", `${quoteValue(values[code])} is neither ${quoteValue(feature.negative)} nor ${quoteValue(feature.positive)}`, { row, column: feature.column });
      }
      out[at] = bit;
      if (feature.missing.indicator && code < 0) out[at + 1] = 1;
    },
  };
}
