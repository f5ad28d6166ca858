import cliProgress from "cli-progress";
import { data, type DescentClient, type EpochMetric, type Job, type JobEvent } from "../sdk/index.js";
import { formatNumber, formatSeconds, printTable } from "./format.js";

/**
 * Follows a job's events with a live progress bar (epoch, batch, loss, ETA)
 * on a terminal, or one line per epoch when the output is a file or a pipe;
 * then prints a summary table. Returns the exit code: 0 if the job succeeded.
 */
export async function followWithProgress(client: DescentClient, jobId: string, baseUrl: string): Promise<number> {
  const { job, metrics } = await followJobLive(client, jobId);
  printSummary(job, metrics, baseUrl);
  return job.status === "succeeded" ? 0 : 1;
}

export async function followJobLive(client: DescentClient, jobId: string): Promise<{ job: Job; metrics: EpochMetric[] }> {
  const start = data(await client.GET("/v1/jobs/{id}", { params: { path: { id: jobId } } }));
  const totalEpochs = start.totalEpochs;
  const tty = process.stdout.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      format: "epoch {epoch}/{epochs} |{bar}| batch {batch}/{batches} | loss {loss} | {percentage}% | ETA {eta_formatted}",
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const payload = { epoch: 0, epochs: totalEpochs, batch: 0, batches: 0, loss: "" };

  const onEvent = (event: JobEvent) => {
    if (event.event === "progress" && tty) {
      const { epoch, batch, batches, loss } = event.data;
      Object.assign(payload, { epoch, batch, batches, loss: formatNumber(loss) });
      const value = (epoch - 1) * batches + batch;
      if (!started) {
        bar.start(totalEpochs * batches, value, payload);
        started = true;
      } else bar.update(value, payload);
    } else if (event.event === "epoch" && !tty) {
      const m = event.data as unknown as EpochMetric;
      const parts = [`loss ${formatNumber(m.loss)}`, m.accuracy != null && `accuracy ${formatNumber(m.accuracy)}`, m.valLoss != null && `val loss ${formatNumber(m.valLoss)}`];
      console.log(`epoch ${m.epoch}/${totalEpochs}: ${parts.filter(Boolean).join(", ")} (${formatSeconds(m.durationMs)})`);
    } else if (event.event === "done" && started && event.data.status === "succeeded") {
      bar.update(bar.getTotal(), payload); // early stopping or a last batch between progress events
    } else if (event.event === "status" && !tty) {
      console.log(`status: ${event.data.status}${event.data.message ? ` (${event.data.message})` : ""}`);
    }
  };
  try {
    await client.followJob(jobId, onEvent);
  } finally {
    if (started) bar.stop();
  }
  const [job, metrics] = await Promise.all([
    client.GET("/v1/jobs/{id}", { params: { path: { id: jobId } } }).then(data),
    client.GET("/v1/jobs/{id}/metrics", { params: { path: { id: jobId } } }).then(data),
  ]);
  return { job, metrics: metrics.data };
}

/** The last epochs as a table, then one line: how the job ended, its model, where to see it. */
export function printSummary(job: Job, metrics: EpochMetric[], baseUrl: string): void {
  const shown = metrics.slice(-10);
  if (metrics.length > shown.length) console.log(`(last ${shown.length} of ${metrics.length} epochs)`);
  printTable(
    ["epoch", "loss", "accuracy", "val loss", "val accuracy", "learning rate", "time"],
    shown.map((m) => [m.epoch, formatNumber(m.loss), formatNumber(m.accuracy), formatNumber(m.valLoss), formatNumber(m.valAccuracy), formatNumber(m.learningRate, 6), formatSeconds(m.durationMs)]),
  );
  const trainingMs = metrics.reduce((sum, m) => sum + m.durationMs, 0);
  const outcome =
    job.status === "succeeded"
      ? `succeeded after ${job.epoch} of ${job.totalEpochs} epochs (${formatSeconds(trainingMs)} of training): model ${job.resultModelId}`
      : `${job.status}${job.error ? `: ${job.error.code}: ${job.error.message}` : ""} after ${job.epoch} of ${job.totalEpochs} epochs`;
  console.log(`job ${job.id} ${outcome}`);
  console.log(`dashboard: ${baseUrl}/#/jobs/${job.id}`);
}
