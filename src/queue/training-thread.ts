// Runs one training job on a worker thread, so that the process's event loop
// stays free for BullMQ's lock renewals, cancel messages and events however
// long an epoch computes. The thread has its own database client; it talks to
// this side through messages and one shared control word.

import { spawnModuleThread } from "../threads/spawn-module-thread.js";
import type { RunOutcome } from "../services/training-runner.js";
import type { WireError } from "../services/training-errors.js";
import type { JobEvent } from "../services/job-events.js";

/** Values of the shared control word the thread checks between batches. */
export const Control = { run: 0, cancel: 1, shutdown: 2 } as const;

export interface ThreadInput {
  jobId: string;
  lastDelivery: boolean;
  databaseUrl: string;
  control: SharedArrayBuffer;
}

export type ThreadMessage =
  | { kind: "event"; jobId: string; event: JobEvent }
  | { kind: "outcome"; outcome: RunOutcome }
  | { kind: "error"; error: WireError };

export interface TrainingThread {
  outcome: Promise<RunOutcome>;
  /** Asks the thread to stop at the next batch boundary. */
  signal(value: (typeof Control)["cancel" | "shutdown"]): void;
  /** Ends the thread at once (shutdown deadline passed). */
  terminate(): Promise<number>;
}

/** `entry`: workers/thread-entries.ts's trainingThreadEntry. */
export function startTrainingThread(
  entry: URL,
  input: Omit<ThreadInput, "control">,
  onEvent: (jobId: string, event: JobEvent) => void,
): TrainingThread {
  const control = new SharedArrayBuffer(4);
  const word = new Int32Array(control);
  const thread = spawnModuleThread(entry, { workerData: { ...input, control } satisfies ThreadInput });

  const outcome = new Promise<RunOutcome>((resolve, reject) => {
    let settled = false;
    thread.on("message", (message: ThreadMessage) => {
      if (message.kind === "event") return onEvent(message.jobId, message.event);
      settled = true;
      if (message.kind === "outcome") resolve(message.outcome);
      else reject(new TrainingThreadError(message.error));
    });
    thread.on("error", (error) => {
      settled = true;
      reject(error);
    });
    thread.on("exit", (code) => {
      if (!settled) reject(new Error(`training thread exited with code ${code} before reporting`));
    });
  });

  return {
    outcome,
    signal: (value) => Atomics.store(word, 0, value),
    terminate: () => thread.terminate(),
  };
}

/** A run that threw, as the thread reported it: what the worker does with its queue entry depends on `wire.disposition`. */
export class TrainingThreadError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
    this.name = wire.name;
  }
}
