// Entry of a warm training thread (see src/queue/training-thread.ts): loads the
// code, its database client and its kernel threads once, then trains the jobs
// it is sent one after another until told to close.

import { parentPort, workerData } from "node:worker_threads";
import { createDatabase } from "../src/db/client.js";
import { createThreadExecutor } from "../src/parallel/index.js";
import { Control, type ThreadMessage, type ThreadRequest, type ThreadSetup } from "../src/queue/training-thread.js";
import { createTrainingRunner } from "../src/services/training-runner.js";
import { toWireError } from "../src/services/training-errors.js";

const setup = workerData as ThreadSetup;
const port = parentPort!;
const post = (message: ThreadMessage) => port.postMessage(message);
// A checkpoint of a large model (weights plus optimizer state) is one big write: give it time.
const db = createDatabase(setup.databaseUrl, { poolSize: 2, statementTimeoutMs: 120_000 });
// Large products of a job split over these threads (same bits as one thread); small ones stay here.
const executor = setup.kernelThreads > 1 ? createThreadExecutor(setup.kernelThreads) : undefined;
const runner = createTrainingRunner({ db, checkpointsKept: setup.checkpointsKept, ...(executor ? { executor } : {}) });

async function train(request: Extract<ThreadRequest, { kind: "run" }>): Promise<void> {
  const word = new Int32Array(request.control);
  try {
    const outcome = await runner.run(request.jobId, {
      lastDelivery: request.lastDelivery,
      control: {
        stopReason: () => {
          const value = Atomics.load(word, 0);
          return value === Control.cancel ? "cancel" : value === Control.shutdown ? "shutdown" : value === Control.pause ? "pause" : null;
        },
        events: { publish: (jobId, event) => post({ kind: "event", jobId, event }) },
      },
    });
    post({ kind: "outcome", outcome });
  } catch (error) {
    post({ kind: "error", error: toWireError(error) });
  }
}

port.on("message", (request: ThreadRequest) => {
  if (request.kind === "run") return void train(request);
  port.close();
  void Promise.allSettled([db.$disconnect(), executor?.close()]);
});

// Connect before saying ready, so the first job does not wait for it; a database that is down is the job's error to report.
await db.$connect().catch(() => undefined);
post({ kind: "ready" });
