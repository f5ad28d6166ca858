import { afterEach, describe, expect, it } from "vitest";
import { Control, createTrainingThreadPool, TrainingThreadError, type TrainingThreadPool } from "../../src/queue/training-thread.js";
import type { JobEvent } from "../../src/services/job-events.js";

// The warm pool of a worker process, on real worker threads that speak the
// protocol without a database (test/helpers/scripted-training-thread.ts).

const entry = new URL("../helpers/scripted-training-thread.ts", import.meta.url);
let pool: TrainingThreadPool;
afterEach(() => pool?.close());

const create = (size: number) => (pool = createTrainingThreadPool(entry, { size, databaseUrl: "unused", kernelThreads: 1, checkpointsKept: 0 }));
const run = (jobId: string, events: JobEvent[] = []) => pool.run({ jobId, lastDelivery: false }, (_id, event) => events.push(event));

describe("training thread pool", () => {
  it("keeps a thread warm and trains one job after another on it", async () => {
    create(1);
    await pool.warm();
    const events: JobEvent[] = [];
    const first = run("a", events);
    expect(await first.outcome).toEqual({ status: "succeeded", modelId: `mdl_thread${first.threadId}` });
    const second = run("b", events);
    expect(second.threadId).toBe(first.threadId);
    await second.outcome;
    expect(events.map((e) => e.data.thread)).toEqual([first.threadId, first.threadId]);
  });

  it("a thread that dies takes only its job: the other job finishes and a fresh thread takes the next", async () => {
    create(2);
    await pool.warm();
    const waiting = run("wait");
    const crashing = run("crash");
    expect(crashing.threadId).not.toBe(waiting.threadId);
    await expect(crashing.outcome).rejects.toThrow(/exited with code 3/);
    waiting.signal(Control.cancel);
    expect(await waiting.outcome).toEqual({ status: "cancelled", epoch: Control.cancel });
    const next = [run("c"), run("d")];
    const ids = next.map((job) => job.threadId);
    expect(ids).toContain(waiting.threadId);
    expect(ids).not.toContain(crashing.threadId);
    for (const job of next) expect((await job.outcome).status).toBe("succeeded");
  });

  it("a reported failure keeps the thread; a terminated one is replaced", async () => {
    create(1);
    const failing = run("fail");
    const error = await failing.outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingThreadError);
    expect((error as TrainingThreadError).wire.disposition).toBe("final");
    const after = run("a");
    expect(after.threadId).toBe(failing.threadId);
    await after.outcome;

    const stuck = run("wait");
    await stuck.terminate();
    await expect(stuck.outcome).rejects.toThrow(/exited/);
    const replaced = run("b");
    expect(replaced.threadId).not.toBe(stuck.threadId);
    expect((await replaced.outcome).status).toBe("succeeded");
  });
});
