// Per-column configuration: the user's choices checked against their bounds,
// with the defaults filled in.

import { FeatureError, quoteValue } from "../errors.js";
import { isFeatureType, type FeatureType } from "../feature-types.js";
import { CATEGORY_ENCODINGS, INDICATOR_MODES, MISSING_STRATEGIES, SCALINGS, type CategoryEncoding, type FeatureConfig, type IndicatorMode, type MissingStrategy, type PipelineOptions, type Scaling } from "./types.js";

export const DEFAULTS = {
  scaling: "standard",
  missingIndicator: "auto",
  minCount: 3,
  maxCategories: 50,
  textBuckets: 256,
  targetScaling: "none",
  maxWidth: 65_536,
} as const satisfies Required<Omit<PipelineOptions, "maxCategoryValues">>;

/** The most one-hot columns one category may take, as the most classes a dataset may have. */
export const MAX_CATEGORIES = 10_000;
export const MAX_TEXT_BUCKETS = 65_536;

export type EncodedType = Exclude<FeatureType, "ignore">;

export interface ResolvedConfig {
  type: EncodedType;
  missing: MissingStrategy;
  fillValue: number | string | undefined;
  missingIndicator: IndicatorMode;
  scaling: Scaling;
  minCount: number;
  maxCategories: number;
  encoding: CategoryEncoding;
  buckets: number;
}

const STRATEGIES: Record<EncodedType, readonly MissingStrategy[]> = {
  number: MISSING_STRATEGIES,
  date: MISSING_STRATEGIES,
  datetime: MISSING_STRATEGIES,
  category: ["mostFrequent", "constant", "dropRow", "none"],
  binary: ["mostFrequent", "constant", "dropRow", "none"],
  text: ["constant", "dropRow", "none"],
};

const DEFAULT_STRATEGY: Record<EncodedType, MissingStrategy> = {
  number: "mean",
  date: "median",
  datetime: "median",
  category: "mostFrequent",
  binary: "mostFrequent",
  text: "constant",
};

const CONFIG_KEYS = new Set<string>(["type", "missing", "fillValue", "missingIndicator", "scaling", "minCount", "maxCategories", "encoding", "buckets"]);

/** Splits `features` into the type overrides inference takes and the rest of each column's configuration. */
export function splitFeatures(features: Record<string, FeatureType | FeatureConfig> = {}): { overrides: Record<string, FeatureType>; configs: Record<string, FeatureConfig> } {
  const overrides: Record<string, FeatureType> = {};
  const configs: Record<string, FeatureConfig> = {};
  for (const [column, entry] of Object.entries(features)) {
    if (typeof entry === "string") {
      overrides[column] = entry;
      continue;
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) bad(column, "a feature is configured by a type or an object of options");
    for (const key of Object.keys(entry)) if (!CONFIG_KEYS.has(key)) bad(column, `${quoteValue(key)} is not a feature option (${[...CONFIG_KEYS].join(", ")})`);
    if (entry.type !== undefined) {
      if (!isFeatureType(entry.type)) bad(column, `${quoteValue(entry.type)} is not a column type`);
      overrides[column] = entry.type;
    }
    configs[column] = entry;
  }
  return { overrides, configs };
}

export function resolveConfig(column: string, type: EncodedType, config: FeatureConfig = {}, options: PipelineOptions = {}): ResolvedConfig {
  const missing = config.missing ?? DEFAULT_STRATEGY[type];
  if (!STRATEGIES[type].includes(missing)) bad(column, `missing strategy ${quoteValue(missing)} does not apply to a ${type} column (${STRATEGIES[type].join(", ")})`);
  const missingIndicator = config.missingIndicator ?? options.missingIndicator ?? DEFAULTS.missingIndicator;
  if (!INDICATOR_MODES.includes(missingIndicator)) bad(column, `missingIndicator must be one of ${INDICATOR_MODES.join(", ")}`);
  const scaling = config.scaling ?? options.scaling ?? DEFAULTS.scaling;
  if (!SCALINGS.includes(scaling)) bad(column, `scaling must be one of ${SCALINGS.join(", ")}`);
  const minCount = config.minCount ?? options.minCount ?? DEFAULTS.minCount;
  if (!isWhole(minCount, 1, 1e9)) bad(column, "minCount must be a whole number from 1");
  const encoding = config.encoding ?? "oneHot";
  if (!CATEGORY_ENCODINGS.includes(encoding)) bad(column, `encoding must be one of ${CATEGORY_ENCODINGS.join(", ")}`);
  if (encoding === "ids" && type !== "category") bad(column, `encoding ids is for category columns; this one is ${type}`);
  // Ids cost one column whatever their number: their cap is the most classes, not the one-hot default.
  const maxCategories = config.maxCategories ?? (encoding === "ids" ? MAX_CATEGORIES : (options.maxCategories ?? DEFAULTS.maxCategories));
  if (!isWhole(maxCategories, 1, MAX_CATEGORIES)) bad(column, `maxCategories must be a whole number from 1 to ${MAX_CATEGORIES}`);
  const buckets = config.buckets ?? options.textBuckets ?? DEFAULTS.textBuckets;
  if (!isWhole(buckets, 2, MAX_TEXT_BUCKETS) || (buckets & (buckets - 1)) !== 0) bad(column, `text buckets must be a power of two from 2 to ${MAX_TEXT_BUCKETS}`);
  const { fillValue } = config;
  if (fillValue !== undefined && typeof fillValue !== "number" && typeof fillValue !== "string") bad(column, "fillValue must be a number or a string");
  if (fillValue !== undefined && missing !== "constant") bad(column, "fillValue goes with the missing strategy constant");
  if (typeof fillValue === "number" && !Number.isFinite(fillValue)) bad(column, "fillValue must be finite");
  return { type, missing, fillValue, missingIndicator, scaling, minCount, maxCategories, encoding, buckets };
}

function isWhole(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

export function bad(column: string | undefined, problem: string): never {
  throw new FeatureError("BAD_OPTION", problem, { column });
}
