// A job's fingerprint: sha256 of everything that decides the weights it
// trains: the dataset's checksum, the model and training config as resolved
// at submission (defaults filled), the engine's numerics version and kernel
// path. Jobs with the same fingerprint train the same bits (the tests check
// determinism per kernel path), so `?fingerprint=` finds repeats of a run.

import { createHash } from "node:crypto";
import { ENGINE_NUMERICS, kernelPath } from "../engine/index.js";

/** JSON with object keys sorted at every level, so the same value always gives the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function jobFingerprint(datasetChecksum: string, model: unknown, training: Record<string, unknown>): string {
  // The time limit stops a job but does not change what its epochs compute.
  const { timeLimitSeconds: _limit, ...decisive } = training;
  const text = canonical({ engine: { numerics: ENGINE_NUMERICS, kernels: kernelPath() }, dataset: datasetChecksum, model, training: decisive });
  return createHash("sha256").update(text).digest("hex");
}

/**
 * A fork's fingerprint when it overrides its source's training: what it
 * trains is decided by its source's run, the epoch it starts after, and the
 * overrides (a fork without overrides trains its source's bits, and carries
 * its source's fingerprint).
 */
export function forkFingerprint(sourceFingerprint: string, fromEpoch: number, overrides: unknown): string {
  return createHash("sha256").update(canonical({ forkOf: sourceFingerprint, fromEpoch, overrides })).digest("hex");
}
