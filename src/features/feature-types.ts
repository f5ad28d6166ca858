/** What a column is to the model. `ignore` columns are left out of the features. */
export const FEATURE_TYPES = ["number", "category", "binary", "date", "datetime", "text", "ignore"] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export function isFeatureType(value: unknown): value is FeatureType {
  return typeof value === "string" && (FEATURE_TYPES as readonly string[]).includes(value);
}
