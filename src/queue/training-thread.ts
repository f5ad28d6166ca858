// Training runs on worker threads, so that the process's event loop stays free
// for BullMQ's lock renewals, cancel messages and events however long an epoch
// computes. The threads are warm: each loads the code, the engine's
// WebAssembly, its kernel threads and a database client once, then trains one
// job after another, so a job starts in milliseconds. A thread that dies takes
// only the job it was running (the queue retries it); the pool starts a new one.

import type { Worker } from "node:worker_threads";
import { spawnModuleThread } from "../threads/spawn-module-thread.js";
import type { RunOutcome } from "../services/training-runner.js";
import type { WireError } from "../services/training-errors.js";
import type { JobEvent } from "../services/job-events.js";

/** Values of the per-job control word the thread checks between batches. */
export const Control = { run: 0, cancel: 1, shutdown: 2, pause: 3 } as const;

/** What a training thread starts with (its workerData). */
export interface ThreadSetup {
  databaseUrl: string;
  /** Threads that share one job's large products (1: none besides the training thread). */
  kernelThreads: number;
  /** Checkpoints of each job's latest epochs kept for forks. */
  checkpointsKept: number;
}

/** Messages to a training thread. */
export type ThreadRequest = { kind: "run"; jobId: string; lastDelivery: boolean; control: SharedArrayBuffer } | { kind: "close" };

/** Messages from a training thread. */
export type ThreadMessage =
  | { kind: "ready" }
  | { kind: "event"; jobId: string; event: JobEvent }
  | { kind: "outcome"; outcome: RunOutcome }
  | { kind: "error"; error: WireError };

/** One job on a thread of the pool. */
export interface TrainingThread {
  /** The worker thread's id (the same across the jobs a warm thread trains). */
  threadId: number;
  outcome: Promise<RunOutcome>;
  /** Asks the thread to stop at the next batch boundary. */
  signal(value: (typeof Control)["cancel" | "shutdown" | "pause"]): void;
  /** Ends the thread at once (shutdown deadline passed); the pool starts another. */
  terminate(): Promise<number>;
}

export interface TrainingThreadPool {
  /** Starts the job on an idle thread, or on a new one when none is idle. */
  run(input: { jobId: string; lastDelivery: boolean }, onEvent: (jobId: string, event: JobEvent) => void): TrainingThread;
  /** Resolves once `size` threads are idle and ready (code loaded, database connected). */
  warm(): Promise<void>;
  /** Ends the idle threads (each closes its database client); running jobs are the caller's to stop first. */
  close(): Promise<void>;
}

interface Job {
  resolve(outcome: RunOutcome): void;
  reject(error: Error): void;
  onEvent(jobId: string, event: JobEvent): void;
}

interface PooledThread {
  worker: Worker;
  ready: Promise<void>;
  job: Job | null;
  dead: boolean;
}

/**
 * `entry`: workers/thread-entries.ts's trainingThreadEntry. `size` threads are
 * kept warm (the worker's concurrency): more start only if more jobs run at once.
 */
export function createTrainingThreadPool(entry: URL, setup: ThreadSetup & { size: number }): TrainingThreadPool {
  const idle: PooledThread[] = [];
  let closed = false;

  function spawn(): PooledThread {
    const worker = spawnModuleThread(entry, { workerData: { databaseUrl: setup.databaseUrl, kernelThreads: setup.kernelThreads, checkpointsKept: setup.checkpointsKept } satisfies ThreadSetup });
    let markReady!: () => void;
    const thread: PooledThread = { worker, ready: new Promise<void>((resolve) => (markReady = resolve)), job: null, dead: false };
    const settle = (finish: (job: Job) => void) => {
      const job = thread.job;
      thread.job = null;
      if (job) finish(job);
    };
    worker.on("message", (message: ThreadMessage) => {
      if (message.kind === "ready") return markReady();
      if (message.kind === "event") return thread.job?.onEvent(message.jobId, message.event);
      settle((job) => (message.kind === "outcome" ? job.resolve(message.outcome) : job.reject(new TrainingThreadError(message.error))));
      if (!thread.dead && !closed) idle.push(thread);
    });
    const die = (error: Error) => {
      if (thread.dead) return;
      thread.dead = true;
      markReady();
      const at = idle.indexOf(thread);
      if (at >= 0) idle.splice(at, 1);
      settle((job) => job.reject(error));
      if (!closed && idle.length < setup.size) idle.push(spawn()); // keep the pool warm
    };
    worker.on("error", die);
    worker.on("exit", (code) => die(new Error(`training thread exited with code ${code} before reporting`)));
    return thread;
  }

  function run(input: { jobId: string; lastDelivery: boolean }, onEvent: (jobId: string, event: JobEvent) => void): TrainingThread {
    const thread = idle.pop() ?? spawn();
    const control = new SharedArrayBuffer(4);
    const outcome = new Promise<RunOutcome>((resolve, reject) => {
      thread.job = { resolve, reject, onEvent };
      void thread.ready.then(() => {
        if (!thread.dead) thread.worker.postMessage({ kind: "run", ...input, control } satisfies ThreadRequest);
      });
    });
    return {
      threadId: thread.worker.threadId,
      outcome,
      signal: (value) => Atomics.store(new Int32Array(control), 0, value),
      terminate: () => thread.worker.terminate(),
    };
  }

  async function warm(): Promise<void> {
    while (idle.length < setup.size) idle.push(spawn());
    await Promise.all(idle.map((thread) => thread.ready));
  }

  async function close(): Promise<void> {
    closed = true;
    const threads = idle.splice(0);
    await Promise.all(
      threads.map(async (thread) => {
        const exited = new Promise((resolve) => thread.worker.once("exit", resolve));
        thread.worker.postMessage({ kind: "close" } satisfies ThreadRequest);
        const late = setTimeout(() => void thread.worker.terminate(), 5_000);
        await exited;
        clearTimeout(late);
      }),
    );
  }

  return { run, warm, close };
}

/** A run that threw, as the thread reported it: what the worker does with its queue entry depends on `wire.disposition`. */
export class TrainingThreadError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
    this.name = wire.name;
  }
}
