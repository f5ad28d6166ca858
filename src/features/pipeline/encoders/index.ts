// One entry per feature type: fit on training rows, list output columns, bind to a column for writing.

import type { Column } from "../../table.js";
import type { EncodedType, ResolvedConfig } from "../config.js";
import type { FittedFeature, OutputColumn } from "../types.js";
import { binaryOutputs, binaryWriter, fitBinary } from "./binary-encoder.js";
import { categoryOutputs, categoryWriter, fitCategory } from "./category-encoder.js";
import { dateOutputs, dateWriter, fitDate } from "./date-encoder.js";
import { fitNumber, numberOutputs, numberWriter } from "./number-encoder.js";
import { fitText, textOutputs, textWriter } from "./text-encoder.js";
import type { FeatureWriter } from "./writer.js";

export type { FeatureWriter } from "./writer.js";

export function fitFeature(type: EncodedType, column: Column, rows: Int32Array, config: ResolvedConfig, offset: number): FittedFeature {
  switch (type) {
    case "number":
      return fitNumber(column, rows, config, offset);
    case "category":
      return fitCategory(column, rows, config, offset);
    case "binary":
      return fitBinary(column, rows, config, offset);
    case "date":
    case "datetime":
      return fitDate(column, rows, config, offset);
    case "text":
      return fitText(column, rows, config, offset);
  }
}

export function featureOutputs(feature: FittedFeature): OutputColumn[] {
  switch (feature.type) {
    case "number":
      return numberOutputs(feature);
    case "category":
      return categoryOutputs(feature);
    case "binary":
      return binaryOutputs(feature);
    case "date":
    case "datetime":
      return dateOutputs(feature);
    case "text":
      return textOutputs(feature);
  }
}

export function featureWriter(feature: FittedFeature, column: Column): FeatureWriter {
  switch (feature.type) {
    case "number":
      return numberWriter(feature, column);
    case "category":
      return categoryWriter(feature, column);
    case "binary":
      return binaryWriter(feature, column);
    case "date":
    case "datetime":
      return dateWriter(feature, column);
    case "text":
      return textWriter(feature, column);
  }
}
