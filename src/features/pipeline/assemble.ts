import { featureOutputs } from "./encoders/index.js";
import { PIPELINE_FORMAT, PIPELINE_VERSION, type FittedFeature, type FittedLabel, type FittedPipeline } from "./types.js";

/** A FittedPipeline from its parts: the width and the output columns follow from the features. */
export function assemblePipeline(label: FittedLabel, features: FittedFeature[], ignored: FittedPipeline["ignored"], training: FittedPipeline["training"]): FittedPipeline {
  const width = features.reduce((sum, feature) => sum + feature.width, 0);
  return { format: PIPELINE_FORMAT, version: PIPELINE_VERSION, label, features, width, outputs: features.flatMap(featureOutputs), ignored, training };
}
