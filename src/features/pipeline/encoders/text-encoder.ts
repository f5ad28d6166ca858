import { readText } from "../../column-reader.js";
import { FeatureError } from "../../errors.js";
import type { Column } from "../../table.js";
import { forEachWordHash } from "../../text-tokens.js";
import { encodeUtf8 } from "../../utf8.js";
import type { ResolvedConfig } from "../config.js";
import type { OutputColumn, TextFeature } from "../types.js";
import { indicatorOutput, missingHandling, type FeatureWriter } from "./writer.js";

export function fitText(column: Column, rows: ArrayLike<number>, config: ResolvedConfig, offset: number): TextFeature {
  const text = readText(column);
  let seen = 0;
  for (let i = 0; i < rows.length; i++) if (text.codes[rows[i]] < 0) seen++;
  if (seen === rows.length) throw new FeatureError("NO_DATA", "the column has no value in the training rows", { column: column.name });
  const fill = config.missing === "constant" ? String(config.fillValue ?? "") : null;
  const missing = missingHandling(config, fill, seen);
  return { type: "text", column: column.name, offset, width: config.buckets + (missing.indicator ? 1 : 0), missing, buckets: config.buckets };
}

export function textOutputs(feature: TextFeature): OutputColumn[] {
  const { column } = feature;
  const outputs: OutputColumn[] = Array.from({ length: feature.buckets }, (_, i) => ({ name: `${column} #${i}`, column, encoding: "textBucket" as const, value: String(i) }));
  if (feature.missing.indicator) outputs.push(indicatorOutput(column));
  return outputs;
}

export function textWriter(feature: TextFeature, column: Column): FeatureWriter {
  const text = readText(column);
  const fill = encodeUtf8(typeof feature.missing.fill === "string" ? feature.missing.fill : "");
  const mask = feature.buckets - 1;
  let out: Float32Array = new Float32Array(0);
  let at = 0;
  const count = (hash: number) => {
    out[at + (hash & mask)] += 1;
  };
  return {
    missing: (row) => text.codes[row] < 0,
    write(row, into, offset) {
      out = into;
      at = offset;
      const code = text.codes[row];
      forEachWordHash(code < 0 ? fill : text.vocabulary.bytesOf(code), count);
      for (let i = offset; i < offset + feature.buckets; i++) if (into[i] !== 0) into[i] = Math.log1p(into[i]);
      if (feature.missing.indicator && code < 0) into[offset + feature.buckets] = 1;
    },
  };
}
