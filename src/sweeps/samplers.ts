// Where a sweep's next trial goes: grid (every combination, in order), random
// (each trial drawn from the seed and its number alone), and TPE (Bergstra et
// al. 2011, univariate, as Optuna's TPESampler: after STARTUP_TRIALS random
// trials, the observed trials split into the best GOOD_SHARE and the rest, a
// Parzen estimator on each, and the candidate with the largest l(x)/g(x) of
// CANDIDATES drawn from l wins). Seeded: the same seed and the same results
// give the same trials.

import { Prng } from "../engine/index.js";
import type { Parameters, ParameterSpec, SearchSpace } from "./search-space.js";

export const STARTUP_TRIALS = 5;
const CANDIDATES = 24;
const GOOD_SHARE = 0.1;
const MAX_GOOD = 25;

/** Combinations in a grid of value lists. */
export function gridSize(space: SearchSpace): number {
  return Object.values(space).reduce((n, spec) => n * ("values" in spec ? spec.values.length : 1), 1);
}

/** The index-th combination (the last parameter varies fastest). */
export function gridPoint(space: SearchSpace, index: number): Parameters {
  const entries = Object.entries(space);
  const point: Parameters = {};
  let rest = index;
  for (let i = entries.length - 1; i >= 0; i--) {
    const [pointer, spec] = entries[i];
    const values = (spec as { values: unknown[] }).values;
    point[pointer] = values[rest % values.length];
    rest = Math.floor(rest / values.length);
  }
  return Object.fromEntries(entries.map(([pointer]) => [pointer, point[pointer]]));
}

/** On the scale the distribution is uniform on. */
const toScale = (spec: Exclude<ParameterSpec, { values: unknown[] }>, x: number) => (spec.distribution === "logUniform" ? Math.log(x) : x);
const fromScale = (spec: Exclude<ParameterSpec, { values: unknown[] }>, u: number) => {
  const x = spec.distribution === "logUniform" ? Math.exp(u) : u;
  const clipped = Math.min(spec.max, Math.max(spec.min, x));
  return spec.distribution === "intUniform" ? Math.round(clipped) : clipped;
};
const bounds = (spec: Exclude<ParameterSpec, { values: unknown[] }>) => [toScale(spec, spec.min), toScale(spec, spec.distribution === "intUniform" ? spec.max + 0.4999 : spec.max)];

function sampleOne(spec: ParameterSpec, rng: Prng): unknown {
  if ("values" in spec) return spec.values[rng.nextInt(spec.values.length)];
  const [low, high] = bounds(spec);
  return fromScale(spec, low + rng.nextFloat() * (high - low));
}

/** Trial `number` of a random search: from the seed and the number alone. */
export function randomPoint(space: SearchSpace, seed: number, number: number): Parameters {
  const rng = new Prng(seed, number + 1);
  return Object.fromEntries(Object.entries(space).map(([pointer, spec]) => [pointer, sampleOne(spec, rng)]));
}

export interface Observation {
  parameters: Parameters;
  /** The sweep's metric; lower is better here (maximised metrics come negated). */
  loss: number;
}

/** A mixture of Gaussians on the parameter's uniform scale: one per observation, plus a wide prior. */
function parzen(points: number[], low: number, high: number) {
  const range = high - low;
  const sorted = [...points].sort((a, b) => a - b);
  const centers = [...sorted, (low + high) / 2];
  const sigmas = centers.map((c, i) => {
    if (i === sorted.length) return range; // the prior
    const left = i > 0 ? c - sorted[i - 1] : c - low;
    const right = i < sorted.length - 1 ? sorted[i + 1] - c : high - c;
    return Math.min(range, Math.max(range / Math.min(100, 1 + sorted.length), left, right));
  });
  const weight = 1 / centers.length;
  return {
    sample(rng: Prng): number {
      const k = rng.nextInt(centers.length);
      const u1 = Math.max(rng.nextFloat(), 1e-12);
      const u2 = rng.nextFloat();
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      return Math.min(high, Math.max(low, centers[k] + sigmas[k] * z));
    },
    logDensity(x: number): number {
      let p = 0;
      for (let i = 0; i < centers.length; i++) p += (weight * Math.exp(-0.5 * ((x - centers[i]) / sigmas[i]) ** 2)) / (sigmas[i] * Math.sqrt(2 * Math.PI));
      return Math.log(Math.max(p, 1e-300));
    },
  };
}

/** Trial `number` of a TPE search, given the trials observed so far. */
export function tpePoint(space: SearchSpace, seed: number, number: number, observed: Observation[]): Parameters {
  if (observed.length < STARTUP_TRIALS) return randomPoint(space, seed, number);
  const rng = new Prng(seed, number + 1);
  const ranked = [...observed].sort((a, b) => a.loss - b.loss);
  const goodCount = Math.max(1, Math.min(MAX_GOOD, Math.ceil(GOOD_SHARE * ranked.length)));
  const good = ranked.slice(0, goodCount);
  const bad = ranked.slice(goodCount);
  const point: Parameters = {};
  for (const [pointer, spec] of Object.entries(space)) {
    if ("values" in spec) {
      // Smoothed frequencies of each value among the good and the bad trials.
      const key = (v: unknown) => JSON.stringify(v);
      const count = (group: Observation[], v: unknown) => 1 + group.filter((o) => key(o.parameters[pointer]) === key(v)).length;
      const score = (v: unknown) => Math.log(count(good, v) / (good.length + spec.values.length)) - Math.log(count(bad, v) / (bad.length + spec.values.length));
      let best = spec.values[0];
      let bestScore = -Infinity;
      for (let c = 0; c < CANDIDATES; c++) {
        const weights = spec.values.map((v) => count(good, v));
        let r = rng.nextFloat() * weights.reduce((a, b) => a + b, 0);
        let pick = 0;
        while (r >= weights[pick] && pick < weights.length - 1) r -= weights[pick++];
        const s = score(spec.values[pick]);
        if (s > bestScore) [best, bestScore] = [spec.values[pick], s];
      }
      point[pointer] = best;
      continue;
    }
    const [low, high] = bounds(spec);
    const scaled = (group: Observation[]) => group.map((o) => toScale(spec, Number(o.parameters[pointer])));
    const l = parzen(scaled(good), low, high);
    const g = parzen(scaled(bad), low, high);
    let best = l.sample(rng);
    let bestScore = -Infinity;
    for (let c = 0; c < CANDIDATES; c++) {
      const x = c === 0 ? best : l.sample(rng);
      const s = l.logDensity(x) - g.logDensity(x);
      if (s > bestScore) [best, bestScore] = [x, s];
    }
    point[pointer] = fromScale(spec, best);
  }
  return point;
}
