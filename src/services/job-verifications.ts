// Verifications (POST /v1/models/:id/verify): a job that retrains a model's
// source job from scratch (same dataset, model, training and seed) on a
// worker, and, instead of storing a model, reports whether the weights it
// trained are bit-identical to the stored ones.

import type { Database, Prisma } from "../db/client.js";
import { newId } from "../db/ids.js";
import { DescentError, notFound } from "../errors.js";
import { insertJobEvent, statusChange } from "./job-events.js";
import { reserveQueuedSlot, sourceWork } from "./job-queries.js";

/** What a verification found: equal bytes, or how many float32 values differ and by how much at most. */
export interface Verification {
  modelId: string;
  identical: boolean;
  differingValues: number;
  /** null when some difference is not a number (a NaN on one side), or the blobs differ in size. */
  maxAbsDifference: number | null;
}

/** Compares two weight blobs (little-endian float32) value by value. */
export function compareWeights(modelId: string, stored: Uint8Array, retrained: Uint8Array): Verification {
  if (stored.byteLength !== retrained.byteLength) return { modelId, identical: false, differingValues: Math.max(stored.byteLength, retrained.byteLength) / 4, maxAbsDifference: null };
  const a = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
  const b = new DataView(retrained.buffer, retrained.byteOffset, retrained.byteLength);
  let differingValues = 0;
  let maxAbsDifference: number | null = 0;
  for (let at = 0; at < stored.byteLength; at += 4) {
    if (a.getUint32(at, true) === b.getUint32(at, true)) continue;
    differingValues++;
    const difference = Math.abs(a.getFloat32(at, true) - b.getFloat32(at, true));
    maxAbsDifference = Number.isNaN(difference) || maxAbsDifference === null ? null : Math.max(maxAbsDifference, difference);
  }
  return { modelId, identical: differingValues === 0, differingValues, maxAbsDifference };
}

/**
 * Stores a queued job that retrains the model's source job, under the
 * project's lock and job cap. A model without a fingerprint (trained before
 * fingerprints, or changed while it ran) cannot be verified: 409.
 */
export async function createVerificationJob(db: Database, { projectId, modelId, maxActive }: { projectId: string; modelId: string; maxActive: number }): Promise<{ jobId: string; rank: number }> {
  const model = await db.model.findFirst({ where: { id: modelId, projectId }, select: { id: true, fingerprint: true, sourceJob: true } });
  if (!model) throw notFound("model", modelId);
  const source = model.sourceJob;
  if (model.fingerprint === null) {
    const message = `model ${modelId} has no fingerprint (trained before fingerprints, or its training changed while it ran): a retraining would not be expected to match`;
    throw new DescentError("CONFLICT", message, [{ path: "/fingerprint", message }]);
  }
  if (source.forkedFromJobId !== null && model.fingerprint !== (await db.trainingJob.findUnique({ where: { id: source.forkedFromJobId }, select: { fingerprint: true } }))?.fingerprint) {
    const message = `model ${modelId} comes from a fork with its own overrides: a retraining from scratch is not its run (verify its source's model instead)`;
    throw new DescentError("CONFLICT", message, [{ path: "/sourceJobId", message }]);
  }
  const jobId = newId("job");
  const rank = await db.$transaction(async (tx) => {
    const rank = await reserveQueuedSlot(tx, projectId, maxActive);
    await tx.trainingJob.create({
      data: {
        id: jobId,
        projectId,
        ...sourceWork(source),
        training: source.training as Prisma.InputJsonValue,
        totalEpochs: source.totalEpochs,
        fingerprint: model.fingerprint,
        name: `verify ${model.id}`,
        tags: ["verification"],
        verifiesModelId: model.id,
      },
    });
    await insertJobEvent(tx, jobId, "status", { ...statusChange("queued", `verifies model ${model.id}: retrains job ${source.id} from scratch`) });
    return rank;
  });
  return { jobId, rank };
}
