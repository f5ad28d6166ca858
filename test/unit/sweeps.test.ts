import { describe, expect, it } from "vitest";
import { goesOn, rungs } from "../../src/sweeps/asha.js";
import { gridPoint, gridSize, randomPoint, STARTUP_TRIALS, tpePoint, type Observation } from "../../src/sweeps/samplers.js";
import { applyParameters, checkSearchSpace, parsePointer, type SearchSpace } from "../../src/sweeps/search-space.js";

// The sweep's pure parts: search space checks, samplers and successive halving.

const base = { model: { layers: [{ type: "dense", units: 8 }, { type: "dense", units: 2 }] }, training: { epochs: 10, optimizer: { type: "adam", learningRate: 0.01 } } };

describe("search space", () => {
  it("sets parameters by JSON pointer on a copy, and reports pointers that do not fit the base", () => {
    const set = applyParameters(base, { "/model/layers/0/units": 32, "/training/optimizer/learningRate": 0.1, "/training/optimizer/beta1": 0.8 });
    expect(set.model.layers[0].units).toBe(32);
    expect(set.training.optimizer).toEqual({ type: "adam", learningRate: 0.1, beta1: 0.8 });
    expect(base.model.layers[0].units).toBe(8);
    expect(parsePointer("/a~1b/c~0d")).toEqual(["a/b", "c~d"]);

    const errors = checkSearchSpace(
      base,
      {
        "/model/layers/5/units": { values: [1] },
        "/datasetId": { values: ["x"] },
        "/training/nowhere/x": { values: [1] },
        "/training/optimizer/learningRate": { min: 0, max: 1, distribution: "logUniform" },
        "/training/epochs": { min: 5, max: 2, distribution: "intUniform" },
      },
      "random",
    );
    expect(errors.map((e) => e.path)).toEqual([
      "/parameters/~1model~1layers~15~1units",
      "/parameters/~1datasetId",
      "/parameters/~1training~1nowhere~1x",
      "/parameters/~1training~1optimizer~1learningRate/min",
      "/parameters/~1training~1epochs/max",
    ]);
    expect(checkSearchSpace(base, { "/training/epochs": { min: 1, max: 5, distribution: "intUniform" } }, "grid")[0].message).toContain("values");
  });
});

describe("samplers", () => {
  const space: SearchSpace = { "/a": { values: [1, 2, 3] }, "/b": { values: ["x", "y"] } };

  it("walks a grid in order, the last parameter fastest", () => {
    expect(gridSize(space)).toBe(6);
    expect(Array.from({ length: 6 }, (_, i) => gridPoint(space, i))).toEqual([
      { "/a": 1, "/b": "x" }, { "/a": 1, "/b": "y" }, { "/a": 2, "/b": "x" }, { "/a": 2, "/b": "y" }, { "/a": 3, "/b": "x" }, { "/a": 3, "/b": "y" },
    ]);
  });

  it("draws random trials from the seed and the trial number alone, within the ranges", () => {
    const ranged: SearchSpace = { "/lr": { min: 1e-4, max: 1e-1, distribution: "logUniform" }, "/units": { min: 4, max: 64, distribution: "intUniform" }, "/p": { min: 0, max: 0.5, distribution: "uniform" } };
    const draws = Array.from({ length: 200 }, (_, i) => randomPoint(ranged, 7, i));
    expect(randomPoint(ranged, 7, 3)).toEqual(draws[3]);
    expect(randomPoint(ranged, 8, 3)).not.toEqual(draws[3]);
    for (const d of draws) {
      expect(d["/lr"] as number).toBeGreaterThanOrEqual(1e-4);
      expect(d["/lr"] as number).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(d["/units"])).toBe(true);
      expect(d["/units"] as number).toBeGreaterThanOrEqual(4);
      expect(d["/units"] as number).toBeLessThanOrEqual(64);
    }
    // Log-uniform: about as many draws in each decade.
    const decades = [1e-4, 1e-3, 1e-2, 1e-1].slice(0, 3).map((low) => draws.filter((d) => (d["/lr"] as number) >= low && (d["/lr"] as number) < low * 10).length);
    for (const count of decades) expect(count).toBeGreaterThan(40);
    expect(new Set(draws.map((d) => d["/units"])).size).toBeGreaterThan(40);
  });

  it("TPE finds a better learning rate than random search with the same budget (mean over 10 seeds)", () => {
    // A loss with its minimum at lr = 0.003 and a second, worse valley at 0.3.
    const loss = (lr: number) => Math.min((Math.log10(lr) - Math.log10(0.003)) ** 2, 0.5 + (Math.log10(lr) - Math.log10(0.3)) ** 2);
    const lrSpace: SearchSpace = { "/lr": { min: 1e-5, max: 1, distribution: "logUniform" } };
    const budget = 25;
    const bestOf = (propose: (n: number, seen: Observation[]) => Record<string, unknown>) => {
      const seen: Observation[] = [];
      for (let n = 0; n < budget; n++) {
        const parameters = propose(n, seen);
        seen.push({ parameters, loss: loss(parameters["/lr"] as number) });
      }
      return Math.min(...seen.map((o) => o.loss));
    };
    let tpe = 0;
    let random = 0;
    for (let seed = 0; seed < 10; seed++) {
      tpe += bestOf((n, seen) => tpePoint(lrSpace, seed, n, seen)) / 10;
      random += bestOf((n) => randomPoint(lrSpace, seed, n)) / 10;
    }
    console.info(`best loss after ${budget} trials, mean of 10 seeds: TPE ${tpe.toExponential(2)}, random ${random.toExponential(2)}`);
    expect(tpe).toBeLessThan(random);
    // The same seed and the same results give the same proposal.
    const seen = Array.from({ length: STARTUP_TRIALS + 3 }, (_, n) => ({ parameters: randomPoint(lrSpace, 1, n), loss: n }));
    expect(tpePoint(lrSpace, 1, 9, seen)).toEqual(tpePoint(lrSpace, 1, 9, seen));
  });

  it("TPE favours the categorical values of the good trials", () => {
    const choice: SearchSpace = { "/opt": { values: ["sgd", "adam", "rmsprop"] } };
    const seen: Observation[] = Array.from({ length: 30 }, (_, n) => {
      const opt = ["sgd", "adam", "rmsprop"][n % 3];
      return { parameters: { "/opt": opt }, loss: opt === "adam" ? 0.1 + n / 1000 : 1 + n / 1000 };
    });
    const picks = Array.from({ length: 20 }, (_, n) => tpePoint(choice, 3, 30 + n, seen)["/opt"]);
    expect(picks.filter((p) => p === "adam").length).toBeGreaterThan(15);
  });
});

describe("successive halving", () => {
  it("puts rungs at minEpochs x eta^k below the budget, and keeps the best 1/eta at each", () => {
    expect(rungs(1, 3, 30)).toEqual([1, 3, 9, 27]);
    expect(rungs(2, 2, 8)).toEqual([2, 4]);
    expect(rungs(5, 2, 5)).toEqual([]);
    // Fewer than eta trials at the rung: everyone goes on.
    expect(goesOn(9, [1], 3)).toBe(true);
    // 3 trials, eta 3: only the best goes on.
    expect(goesOn(0.5, [1, 2], 3)).toBe(true);
    expect(goesOn(1.5, [1, 2], 3)).toBe(false);
    // 4 trials, eta 2: the best two.
    expect(goesOn(2, [1, 3, 4], 2)).toBe(true);
    expect(goesOn(3.5, [1, 3, 4], 2)).toBe(false);
  });
});
