import { describe, expect, it } from "vitest";
import { trainingAt } from "../../src/services/job-forks.js";

// A fork takes the training its source had in force for the epoch after the
// fork: changes recorded after that epoch's row are undone, newest first.

const source = {
  id: "job_source",
  training: { epochs: 30, batchSize: 16, loss: "meanSquaredError", optimizer: { type: "adam", learningRate: 0.0001 }, earlyStopping: { patience: 9 } },
};
const change = (id: bigint, epoch: number, fields: { path: string; from: number | null; to: number }[]) => ({ id, change: { at: "2026-01-01T00:00:00.000Z", epoch, fields } });
// Event ids: epoch rows 1..10 are events 10, 20, ..., 100; changes land between them.
const changes = [
  change(35n, 3, [{ path: "/training/optimizer/learningRate", from: 0.01, to: 0.001 }]),
  change(72n, 7, [{ path: "/training/optimizer/learningRate", from: 0.001, to: 0.0001 }, { path: "/training/epochs", from: 20, to: 30 }]),
  change(88n, 8, [{ path: "/training/earlyStopping/patience", from: 3, to: 9 }]),
];

describe("a fork's training", () => {
  it("is the source's current one after its last change", () => {
    expect(trainingAt(source, changes, 100n)).toMatchObject({ epochs: 30, optimizer: { learningRate: 0.0001 }, earlyStopping: { patience: 9 } });
  });
  it("undoes the changes recorded after the fork's epoch, and keeps those before it", () => {
    // Epoch 4's row is event 40: the change at 35 was applied after epoch 3 and is in force; the later two are not.
    expect(trainingAt(source, changes, 40n)).toMatchObject({ epochs: 20, optimizer: { learningRate: 0.001 }, earlyStopping: { patience: 3 } });
    // Epoch 8's row is event 80: the change at 72 is in force, the one at 88 not.
    expect(trainingAt(source, changes, 80n)).toMatchObject({ epochs: 30, optimizer: { learningRate: 0.0001 }, earlyStopping: { patience: 3 } });
  });
  it("is the submitted training before any change", () => {
    expect(trainingAt(source, changes, 20n)).toMatchObject({ epochs: 20, optimizer: { learningRate: 0.01 }, earlyStopping: { patience: 3 } });
  });
});
