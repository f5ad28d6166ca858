import type { Worker } from "node:worker_threads";
import { DescentError } from "../errors.js";
import type { PredictionRunner } from "../services/models.js";
import { spawnModuleThread } from "../threads/spawn-module-thread.js";
import type { ModelForPrediction, OverfitTask, PredictionReply, PredictionTask } from "./protocol.js";

export interface PredictionPoolOptions {
  /** The thread entry (workers/thread-entries.ts: predictionThreadEntry). */
  entry: URL;
  /** Threads predicting at once. @defaultValue 1 */
  threads?: number;
  /** Predictions waiting for a thread before new ones are refused (503). @defaultValue 32 */
  maxQueue?: number;
  /** A prediction running longer than this ends its thread and answers 503. @defaultValue 10000 */
  timeoutMs?: number;
}

interface Pending {
  task: PredictionTask;
  resolve(y: Float32Array): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  /** The thread has loaded its code (starting it does not count against a prediction's time). */
  ready: boolean;
  current: Pending | null;
  timer: NodeJS.Timeout | null;
}

/**
 * Runs predictions on worker threads, so the API's event loop (health
 * checks, every other request) never waits for a forward pass. Threads start
 * on first use; one that runs past the timeout is ended and replaced.
 */
export function createPredictionPool({ entry, threads = 1, maxQueue = 32, timeoutMs = 10_000 }: PredictionPoolOptions): PredictionRunner & { close(): Promise<void> } {
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextTaskId = 1;
  let closed = false;

  function startSlot(): Slot {
    const slot: Slot = { worker: spawnModuleThread(entry), ready: false, current: null, timer: null };
    slot.worker.on("message", (reply: PredictionReply) => {
      if ("ready" in reply) {
        slot.ready = true;
        return dispatch();
      }
      const pending = slot.current;
      if (!pending || pending.task.taskId !== reply.taskId) return;
      finish(slot);
      if (reply.ok) pending.resolve(reply.y);
      else pending.reject(new DescentError("VALIDATION_FAILED", `the model could not run on these inputs: ${reply.message}`));
      dispatch();
    });
    const lost = (why: string) => {
      const pending = slot.current;
      replace(slot);
      pending?.reject(new Error(`prediction thread ${why}`));
      dispatch();
    };
    slot.worker.on("error", (error) => lost(`failed: ${error.message}`));
    slot.worker.on("exit", (code) => {
      if (!closed && slots.includes(slot)) lost(`exited with code ${code}`);
    });
    slot.worker.unref();
    return slot;
  }

  function finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.current = null;
  }

  /** Ends a slot's thread (busy past its time, or dead) and puts a fresh one in its place. */
  function replace(slot: Slot): void {
    finish(slot);
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    void slot.worker.terminate();
  }

  function dispatch(): void {
    while (queue.length > 0 && !closed) {
      const slot = slots.find((s) => s.ready && s.current === null);
      if (!slot) {
        // Start threads up to the pool's size; each takes work once it is ready.
        if (slots.length < threads && slots.every((s) => s.ready)) slots.push(startSlot());
        return;
      }
      const pending = queue.shift()!;
      slot.current = pending;
      const busy = slot;
      busy.timer = setTimeout(() => {
        replace(busy);
        pending.reject(new DescentError("UNAVAILABLE", `the prediction took longer than ${timeoutMs} ms and was stopped; send fewer rows, or retry when the service is less busy`));
        dispatch();
      }, timeoutMs);
      busy.worker.postMessage(pending.task);
    }
  }

  function submit(task: PredictionTask): Promise<Float32Array> {
    if (closed) return Promise.reject(new DescentError("UNAVAILABLE", "the API is shutting down"));
    if (queue.length >= maxQueue) {
      return Promise.reject(new DescentError("UNAVAILABLE", `${queue.length} predictions are already waiting; retry shortly`, undefined, { retryAfterSeconds: 1 }));
    }
    return new Promise((resolve, reject) => {
      queue.push({ task, resolve, reject });
      dispatch();
    });
  }

  return {
    predict: (model: ModelForPrediction, x: Float32Array, n: number) => submit({ kind: "predict", taskId: nextTaskId++, model, x, n }),
    overfit: (task: Omit<OverfitTask, "kind" | "taskId">) => submit({ ...task, kind: "overfit", taskId: nextTaskId++ }),
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new DescentError("UNAVAILABLE", "the API is shutting down"));
      await Promise.all(slots.splice(0).map((slot) => slot.worker.terminate()));
    },
  };
}
