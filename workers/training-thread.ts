// Entry of a training thread (see src/queue/training-thread.ts): trains one
// job with its own database client, then exits.

import { parentPort, workerData } from "node:worker_threads";
import { createDatabase } from "../src/db/client.js";
import { Control, type ThreadInput, type ThreadMessage } from "../src/queue/training-thread.js";
import { createTrainingRunner } from "../src/services/training-runner.js";
import { toWireError } from "../src/services/training-errors.js";

const input = workerData as ThreadInput;
const word = new Int32Array(input.control);
const post = (message: ThreadMessage) => parentPort!.postMessage(message);
// A checkpoint of a large model (weights plus optimizer state) is one big write: give it time.
const db = createDatabase(input.databaseUrl, { poolSize: 2, statementTimeoutMs: 120_000 });

try {
  const outcome = await createTrainingRunner({ db }).run(input.jobId, {
    lastDelivery: input.lastDelivery,
    control: {
      stopReason: () => {
        const value = Atomics.load(word, 0);
        return value === Control.cancel ? "cancel" : value === Control.shutdown ? "shutdown" : null;
      },
      events: { publish: (jobId, event) => post({ kind: "event", jobId, event }) },
    },
  });
  post({ kind: "outcome", outcome });
} catch (error) {
  post({ kind: "error", error: toWireError(error) });
} finally {
  await db.$disconnect();
}
