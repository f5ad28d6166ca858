import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueTraining } from "../../src/queue/training-queue.js";
import { createJobRecovery } from "../../src/services/job-recovery.js";
import { silentSink } from "../../src/services/job-events.js";
import { createTestContext, type TestContext } from "../helpers/context.js";

let ctx: TestContext;
let datasetId: string;
beforeAll(async () => {
  ctx = await createTestContext();
  datasetId = (await ctx.app.inject({ method: "POST", url: "/v1/datasets", payload: { features: [[0], [1]], labels: ["a", "b"] } })).json().id;
});
afterAll(async () => {
  await ctx?.close();
});

async function jobRow(id: string, status: "queued" | "running", ageMs: number) {
  await ctx.db.trainingJob.create({
    data: { id, projectId: "prj_default", datasetId, status, spec: {}, training: {}, totalEpochs: 1, createdAt: new Date(Date.now() - ageMs) },
  });
}

const view = () => ({
  stateOf: (jobId: string) => ctx.queue.getJobState(jobId),
  enqueue: (jobId: string, rank: number) => enqueueTraining(ctx.queue, jobId, rank),
});

describe("the reconciler", () => {
  it("re-enqueues old queued and running jobs the queue lost, and leaves young or present ones alone", async () => {
    await jobRow("job_lost_queued", "queued", 60_000);
    await jobRow("job_lost_running", "running", 60_000);
    await jobRow("job_young", "queued", 0);
    await jobRow("job_present", "queued", 60_000);
    await enqueueTraining(ctx.queue, "job_present", 1);

    const recovery = createJobRecovery({ db: ctx.db });
    const result = await recovery.reconcile(view(), silentSink);
    expect(result.reenqueued.sort()).toEqual(["job_lost_queued", "job_lost_running"]);
    expect(await ctx.queue.getJobState("job_lost_queued")).toBe("prioritized");
    expect(await ctx.queue.getJobState("job_young")).toBe("unknown");

    // A second round finds nothing to do: re-enqueueing is idempotent.
    expect((await recovery.reconcile(view(), silentSink)).reenqueued).toEqual([]);
  });

  it("fails a running job whose queue entry failed for good, with STALLED_TOO_OFTEN and its events", async () => {
    await jobRow("job_gave_up", "running", 60_000);
    const recovery = createJobRecovery({ db: ctx.db });
    const failedView = { stateOf: async () => "failed", enqueue: async () => undefined };
    const result = await recovery.reconcile(failedView, silentSink);
    expect(result.failed).toContain("job_gave_up");
    const job = await ctx.db.trainingJob.findUniqueOrThrow({ where: { id: "job_gave_up" } });
    expect(job.status).toBe("failed");
    expect(job.error).toMatchObject({ code: "STALLED_TOO_OFTEN" });
    expect(await ctx.db.jobEvent.count({ where: { jobId: "job_gave_up", type: "done" } })).toBe(1);
  });
});
