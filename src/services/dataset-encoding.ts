import { createHash } from "node:crypto";
import { DescentError, pointerSegment, type FieldError } from "../errors.js";
import type { DatasetInput } from "../spec/dataset.js";
import { countClasses } from "../features/index.js";
import { MAX_CLASSES, MAX_FEATURES } from "./column-types.js";

/** A validated dataset in the engine's layout: row-major float32. */
export interface EncodedDataset {
  name: string;
  numSamples: number;
  numFeatures: number;
  inputShape: number[];
  task: "classification" | "regression";
  classNames: string[];
  classCounts: number[];
  featureNames: string[];
  features: Float32Array;
  labels: Float32Array;
  checksum: string;
}

const MAX_REPORTED_ERRORS = 20;

/**
 * Checks a JSON dataset upload beyond what its schema can say (ragged rows,
 * label counts, class indices) and converts it to float32. Throws a 400 that
 * names every bad path (up to 20) and stores nothing.
 */
export function encodeDataset(input: DatasetInput): EncodedDataset {
  const errors: FieldError[] = [];
  const report = (path: string, message: string) => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ path, message });
  };

  const numSamples = input.features.length;
  const numFeatures = input.features[0].length;
  if (numFeatures > MAX_FEATURES) {
    throw new DescentError("VALIDATION_FAILED", `rows have ${numFeatures} values; a dataset may have at most ${MAX_FEATURES} features`, [
      { path: "/features/0", message: `at most ${MAX_FEATURES} values` },
    ]);
  }
  input.features.forEach((row, i) => {
    if (row.length !== numFeatures) report(`/features/${i}`, `row ${i} has ${row.length} values; row 0 has ${numFeatures}`);
    row.forEach((value, j) => {
      if (!Number.isFinite(Math.fround(value))) report(`/features/${i}/${j}`, `${value} does not fit in float32`);
    });
  });
  if (input.labels.length !== numSamples) {
    report("/labels", `${input.labels.length} labels for ${numSamples} feature rows; they must be equal`);
  }

  const inputShape = input.inputShape ?? [numFeatures];
  const shapeSize = inputShape.reduce((a, b) => a * b, 1);
  if (shapeSize !== numFeatures) {
    report("/inputShape", `inputShape [${inputShape.join(", ")}] holds ${shapeSize} values; each row has ${numFeatures}`);
  }
  if (input.featureNames && input.featureNames.length !== numFeatures) {
    report("/featureNames", `${input.featureNames.length} feature names for ${numFeatures} features`);
  }

  const labels = encodeLabels(input, report);
  if (errors.length > 0) throw new DescentError("VALIDATION_FAILED", summarize(errors), errors);

  const features = new Float32Array(numSamples * numFeatures);
  input.features.forEach((row, i) => features.set(row, i * numFeatures));

  return {
    name: input.name ?? "dataset",
    numSamples,
    numFeatures,
    inputShape,
    task: labels.task,
    classNames: labels.classNames,
    classCounts: labels.classNames.length > 0 ? countClasses(labels.values, labels.classNames.length) : [],
    featureNames: input.featureNames ?? Array.from({ length: numFeatures }, (_, i) => `x${i}`),
    features,
    labels: labels.values,
    checksum: checksum(inputShape, features, labels.values),
  };
}

interface EncodedLabels {
  task: "classification" | "regression";
  classNames: string[];
  values: Float32Array;
}

function encodeLabels(input: DatasetInput, report: (path: string, message: string) => void): EncodedLabels {
  const { labels } = input;
  const values = new Float32Array(labels.length);
  const strings = labels.some((label) => typeof label === "string");
  const numbers = labels.some((label) => typeof label === "number");
  if (strings && numbers) {
    const first = labels.findIndex((label) => typeof label !== typeof labels[0]);
    report(`/labels/${first}`, "labels mix class names (strings) and numbers; use one kind");
    return { task: "classification", classNames: [], values };
  }

  // JSON.parse turns 1e400 into Infinity, and 1e39 is Infinity in float32: neither can be trained on.
  labels.forEach((label, i) => {
    if (typeof label === "number" && !Number.isFinite(Math.fround(label))) report(`/labels/${i}`, `${label} does not fit in float32`);
  });

  if (strings) {
    if (input.task === "regression") report("/task", "regression needs numeric labels");
    // Known names keep their order; otherwise classes are sorted so the same
    // data always gives the same class indices.
    const classNames = input.classNames ?? [...new Set(labels as string[])].sort();
    if (classNames.length > MAX_CLASSES) {
      report("/labels", `${classNames.length} distinct class names; a dataset may have at most ${MAX_CLASSES} classes`);
      return { task: "classification", classNames: [], values };
    }
    const index = new Map(classNames.map((name, i) => [name, i]));
    labels.forEach((label, i) => {
      const classIndex = index.get(label as string);
      if (classIndex === undefined) report(`/labels/${i}`, `label ${JSON.stringify(label)} is not one of classNames`);
      else values[i] = classIndex;
    });
    return { task: "classification", classNames, values };
  }

  const numeric = labels as number[];
  const looksLikeClasses = numeric.every((label) => Number.isInteger(label) && label >= 0);
  const task = input.task ?? (input.classNames || looksLikeClasses ? "classification" : "regression");
  if (task === "regression") {
    if (input.classNames) report("/classNames", "a regression dataset has no classes");
    values.set(numeric);
    return { task, classNames: [], values };
  }

  const numClasses = input.classNames?.length ?? largestClassIndex(numeric, report) + 1;
  if (numClasses === 0) return { task, classNames: [], values }; // reported
  numeric.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      report(`/labels/${i}`, `label ${label} is not a class index in [0, ${numClasses - 1}]`);
    } else values[i] = label;
  });
  const classNames = input.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i));
  return { task, classNames, values };
}

/**
 * The largest label, as a class index; a label past MAX_CLASSES is reported
 * (1e9 must not allocate a billion classes). A loop, not Math.max(...labels):
 * spreading 130,000 arguments overflows the stack.
 */
function largestClassIndex(labels: number[], report: (path: string, message: string) => void): number {
  let largest = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label >= MAX_CLASSES) {
      report(`/labels/${i}`, `class index ${label} is too large: a dataset may have at most ${MAX_CLASSES} classes (for regression targets, pass "task": "regression")`);
      return -1;
    }
    if (label > largest) largest = label;
  }
  return largest;
}

/** sha256 over the shape and the float32 bytes: identical data, identical checksum, however it was uploaded. */
export function checksum(inputShape: number[], features: Float32Array, labels: Float32Array): string {
  return createHash("sha256")
    .update(JSON.stringify(inputShape))
    .update(new Uint8Array(features.buffer, features.byteOffset, features.byteLength))
    .update(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength))
    .digest("hex");
}

/** One line for `detail`: the first error, and how many more. */
export function summarize(errors: FieldError[]): string {
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return `${first.path}: ${first.message}${more}`;
}
