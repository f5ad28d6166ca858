import { describe, expect, it } from "vitest";
import { classWeights, countClasses, sampleWeights, splitRows } from "../../../src/features/index.js";

describe("classWeights", () => {
  it("balances classes as n / (k * count)", () => {
    const weights = classWeights(countClasses([0, 0, 0, 1], 2), ["major", "minor"], "balanced");
    expect(weights).toEqual([4 / 6, 2]);
    // Every class then weighs the same in total.
    expect(3 * weights[0]).toBeCloseTo(1 * weights[1], 6);
    expect(Array.from(sampleWeights([1, 0], weights))).toEqual([2, Math.fround(4 / 6)]);
  });

  it("gives a class with no sample the neutral weight 1", () => {
    expect(classWeights(countClasses([0, 0], 2), ["a", "b"], "balanced")).toEqual([2 / 4, 1]);
    expect(() => countClasses([0, 2], 2)).toThrow(/label 2 at sample 1 is not a class index/);
  });

  it("takes weights by class name, 1 for the classes left out, and refuses unknown names", () => {
    expect(classWeights([1, 1, 1], ["a", "b", "c"], { c: 5, a: 0.5 })).toEqual([0.5, 1, 5]);
    expect(() => classWeights([1, 0], ["a", "b"], { z: 2 })).toThrow(/"z" is not a class/);
    expect(() => classWeights([1, 0], ["a", "b"], { a: -1 })).toThrow(/positive finite number/);
    expect(() => classWeights([1, 0], ["a", "b"], { a: 0 })).toThrow(/positive finite number/);
  });
});

describe("splitRows", () => {
  const strata = Array.from({ length: 200 }, (_, i) => (i < 150 ? 0 : 1));

  it("partitions the rows, the same way for the same seed", () => {
    const split = splitRows(200, { validation: 0.1, test: 0.2, seed: 7, strata });
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(splitRows(200, { validation: 0.1, test: 0.2, seed: 7, strata })).toEqual(split);
    expect(splitRows(200, { validation: 0.1, test: 0.2, seed: 8, strata }).validation).not.toEqual(split.validation);
  });

  it("keeps each class's share in every part", () => {
    const split = splitRows(200, { validation: 0.1, test: 0.2, seed: 1, strata });
    const minority = (rows: Int32Array) => Array.from(rows).filter((row) => strata[row] === 1).length;
    expect([split.test.length, minority(split.test)]).toEqual([40, 10]);
    expect([split.validation.length, minority(split.validation)]).toEqual([20, 5]);
    expect([split.train.length, minority(split.train)]).toEqual([140, 35]);
  });

  it("refuses fractions that leave no training rows", () => {
    expect(() => splitRows(10, { validation: 0.5, test: 0.5, seed: 1 })).toThrow(/below 1 together/);
  });
});
