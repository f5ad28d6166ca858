// A FittedPipeline read back from storage (JSON) is decoded, not cast: every
// field is checked, and the output columns are derived again from the
// features, so a pipeline that decodes is one transform can run.

import { FeatureError } from "../errors.js";
import { assemblePipeline } from "./assemble.js";
import { featureOutputs } from "./encoders/index.js";
import { MISSING_STRATEGIES, PIPELINE_FORMAT, PIPELINE_VERSION, type FittedFeature, type FittedLabel, type FittedPipeline, type MissingHandling, type NumberScaling, type TimeWindows } from "./types.js";

type Json = Record<string, unknown>;

export function decodePipeline(json: unknown): FittedPipeline {
  const root = object(json, "");
  if (root.format !== PIPELINE_FORMAT) corrupt("/format", `must be ${JSON.stringify(PIPELINE_FORMAT)}`);
  if (root.version !== PIPELINE_VERSION) corrupt("/version", `version ${String(root.version)} is not ${PIPELINE_VERSION}`);
  const label = decodeLabel(object(root.label, "/label"));
  const features = array(root.features, "/features").map((entry, i) => decodeFeature(object(entry, `/features/${i}`), `/features/${i}`));
  let width = 0;
  features.forEach((feature, i) => {
    if (feature.offset !== width) corrupt(`/features/${i}/offset`, `is ${feature.offset}; the features before it end at ${width}`);
    const outputs = featureOutputs(feature).length;
    if (outputs !== feature.width) corrupt(`/features/${i}/width`, `is ${feature.width}; the feature's encoding gives ${outputs} columns`);
    width += feature.width;
  });
  if (root.width !== width) corrupt("/width", `is ${String(root.width)}; the features take ${width}`);
  const ignored = array(root.ignored, "/ignored").map((entry, i) => {
    const item = object(entry, `/ignored/${i}`);
    return { column: string(item.column, `/ignored/${i}/column`), reason: string(item.reason, `/ignored/${i}/reason`) };
  });
  const training = object(root.training, "/training");
  const dropped = object(training.dropped, "/training/dropped");
  const missingValue = object(dropped.missingValue, "/training/dropped/missingValue");
  const pipeline = assemblePipeline(label, features, ignored, {
    rows: count(training.rows, "/training/rows"),
    kept: count(training.kept, "/training/kept"),
    dropped: {
      missingLabel: count(dropped.missingLabel, "/training/dropped/missingLabel"),
      unknownLabel: count(dropped.unknownLabel, "/training/dropped/unknownLabel"),
      missingValue: Object.fromEntries(Object.entries(missingValue).map(([column, n]) => [column, count(n, `/training/dropped/missingValue/${column}`)])),
    },
  });
  return {
    ...pipeline,
    ...(root.timeSeries === undefined ? {} : { timeSeries: decodeTimeWindows(object(root.timeSeries, "/timeSeries"), label) }),
    ...(root.missingMarkers === undefined ? {} : { missingMarkers: array(root.missingMarkers, "/missingMarkers").map((marker, i) => string(marker, `/missingMarkers/${i}`)) }),
    ...(root.decimal === undefined ? {} : { decimal: root.decimal === "," ? "," : corrupt("/decimal", 'must be ","') }),
    ...(root.dateOrder === undefined ? {} : { dateOrder: root.dateOrder === "mdy" || root.dateOrder === "dmy" ? root.dateOrder : corrupt("/dateOrder", 'must be "mdy" or "dmy"') }),
  };
}

function decodeTimeWindows(json: Json, label: FittedLabel): TimeWindows {
  const positive = (value: unknown, path: string) => (count(value, path) >= 1 ? (value as number) : corrupt(path, "must be 1 or more"));
  const pastLabel = boolean(json.pastLabel, "/timeSeries/pastLabel");
  if (pastLabel && label.task !== "regression") corrupt("/timeSeries/pastLabel", "only a regression label can be an input");
  return { window: positive(json.window, "/timeSeries/window"), horizon: positive(json.horizon, "/timeSeries/horizon"), stride: positive(json.stride, "/timeSeries/stride"), pastLabel };
}

function decodeLabel(label: Json): FittedLabel {
  const column = string(label.column, "/label/column");
  if (label.task === "classification") {
    const classNames = array(label.classNames, "/label/classNames").map((name, i) => string(name, `/label/classNames/${i}`));
    const classCounts = array(label.classCounts, "/label/classCounts").map((n, i) => count(n, `/label/classCounts/${i}`));
    if (classNames.length < 2 || classCounts.length !== classNames.length) corrupt("/label/classNames", "needs two classes or more, with a count each");
    return { column, task: "classification", classNames, classCounts };
  }
  if (label.task !== "regression") corrupt("/label/task", "must be classification or regression");
  const scaling = object(label.scaling, "/label/scaling");
  const stats = object(label.stats, "/label/stats");
  const n = (value: unknown, path: string) => finite(value, path);
  return {
    column,
    task: "regression",
    scaling: scaling.kind === "standard" ? { kind: "standard", mean: n(scaling.mean, "/label/scaling/mean"), std: positive(scaling.std, "/label/scaling/std") } : noneScaling(scaling, "/label/scaling"),
    stats: { min: n(stats.min, "/label/stats/min"), max: n(stats.max, "/label/stats/max"), mean: n(stats.mean, "/label/stats/mean"), std: n(stats.std, "/label/stats/std") },
  };
}

function decodeFeature(feature: Json, path: string): FittedFeature {
  const base = { column: string(feature.column, `${path}/column`), offset: count(feature.offset, `${path}/offset`), width: count(feature.width, `${path}/width`), missing: decodeMissing(object(feature.missing, `${path}/missing`), `${path}/missing`) };
  switch (feature.type) {
    case "number":
      return { ...base, type: "number", scaling: decodeScaling(object(feature.scaling, `${path}/scaling`), `${path}/scaling`) };
    case "category":
    {
      const category = { ...base, type: "category" as const, categories: array(feature.categories, `${path}/categories`).map((c, i) => string(c, `${path}/categories/${i}`)), other: boolean(feature.other, `${path}/other`) };
      if (feature.encoding === undefined) return category;
      if (feature.encoding !== "ids") corrupt(`${path}/encoding`, 'is not "ids"');
      return { ...category, encoding: "ids" };
    }
    case "binary":
      return { ...base, type: "binary", negative: string(feature.negative, `${path}/negative`), positive: string(feature.positive, `${path}/positive`) };
    case "date":
    case "datetime": {
      const year = object(feature.year, `${path}/year`);
      return { ...base, type: feature.type, year: { mean: finite(year.mean, `${path}/year/mean`), std: finite(year.std, `${path}/year/std`) } };
    }
    case "text": {
      const buckets = count(feature.buckets, `${path}/buckets`);
      if (buckets < 2 || (buckets & (buckets - 1)) !== 0) corrupt(`${path}/buckets`, "must be a power of two");
      return { ...base, type: "text", buckets };
    }
    default:
      return corrupt(`${path}/type`, "is not a feature type");
  }
}

function decodeMissing(missing: Json, path: string): MissingHandling {
  const strategy = missing.strategy;
  if (!MISSING_STRATEGIES.includes(strategy as never)) corrupt(`${path}/strategy`, "is not a missing strategy");
  const fill = missing.fill;
  const fills = strategy === "dropRow" || strategy === "none" ? fill === null : typeof fill === "string" || (typeof fill === "number" && Number.isFinite(fill));
  if (!fills) corrupt(`${path}/fill`, `does not go with the strategy ${String(strategy)}`);
  return { strategy: strategy as MissingHandling["strategy"], fill: fill as MissingHandling["fill"], indicator: boolean(missing.indicator, `${path}/indicator`), seen: count(missing.seen, `${path}/seen`) };
}

function decodeScaling(scaling: Json, path: string): NumberScaling {
  if (scaling.kind === "standard") return { kind: "standard", mean: finite(scaling.mean, `${path}/mean`), std: finite(scaling.std, `${path}/std`) };
  if (scaling.kind === "minmax") return { kind: "minmax", min: finite(scaling.min, `${path}/min`), max: finite(scaling.max, `${path}/max`) };
  return noneScaling(scaling, path);
}

function noneScaling(scaling: Json, path: string): { kind: "none" } {
  if (scaling.kind !== "none") corrupt(`${path}/kind`, "is not a scaling");
  return { kind: "none" };
}

function object(value: unknown, path: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) corrupt(path || "/", "must be an object");
  return value as Json;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) corrupt(path, "must be an array");
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== "string") corrupt(path, "must be a string");
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== "boolean") corrupt(path, "must be a boolean");
  return value;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) corrupt(path, "must be a finite number");
  return value;
}

function positive(value: unknown, path: string): number {
  if (finite(value, path) <= 0) corrupt(path, "must be positive");
  return value as number;
}

function count(value: unknown, path: string): number {
  if (!Number.isInteger(value) || (value as number) < 0) corrupt(path, "must be a whole number from 0");
  return value as number;
}

function corrupt(path: string, problem: string): never {
  throw new FeatureError("CORRUPT_PIPELINE", `the stored pipeline does not decode: ${path} ${problem}`);
}
