import { ApiError, api, endedStatuses, post, type EpochMetric, type Job, type Model, type ModelMetrics } from "../api";
import { epochChart, colors, type EpochChart } from "../charts";
import { card, describeLayers, describeTraining, facts, labelled, loading, pageHeader, progressBar, statusBadge } from "../components";
import { h, replace } from "../dom";
import { fmtAgo, fmtDuration, fmtNumber, fmtPercent, fmtTime } from "../format";
import { showError } from "../view";
import { followEvents, type StreamEvent } from "../sse";
import type { ViewContext } from "../view";

/**
 * One job, live: its curves from the event stream (the history is replayed
 * first, then epochs arrive as they end), batch progress, status history,
 * the error if it failed, pause, resume and cancel buttons, and the model once there is one.
 */
type JobAction = "pause" | "resume" | "cancel";

/** "learning rate 0.001 → 0.0003" for a changed field of the training. */
function describeField({ path, from, to }: Job["trainingChanges"][number]["fields"][number]): string {
  const name = path.split("/").at(-1)!.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
  return `${name} ${from === null ? "" : `${fmtNumber(from)} → `}${fmtNumber(to)}`;
}

export async function jobView({ root, params, signal }: ViewContext): Promise<void> {
  replace(root, loading());
  let job = await api<Job>(`/v1/jobs/${encodeURIComponent(params.id)}`, { signal });
  const epochs = new Map<number, EpochMetric>();
  let kept: Pick<ModelMetrics, "keptEpoch" | "stopped"> | null = null;
  let progress: { epoch: number; batch: number; batches: number; loss: number } | null = null;
  let connected = false;
  let actionError: string | null = null;

  // Layout: built once; parts are re-rendered in place.
  const headerSlot = h("div");
  const summarySlot = h("div", { class: "card summary-card" });
  const errorSlot = h("div");
  const lossChart = epochChart({ series: [{ label: "training loss", color: colors.train }, { label: "validation loss", color: colors.val, dash: [6, 3] }] });
  const accChart = epochChart({ series: [{ label: "training accuracy", color: colors.train }, { label: "validation accuracy", color: colors.val, dash: [6, 3] }], percent: true });
  const lrChart = epochChart({ series: [{ label: "learning rate", color: colors.lr }], height: 170, emptyText: "No epoch yet" });
  const accCard = card("Accuracy", accChart.element);
  const charts = h("div", { class: "charts", "data-epochs": "0" }, card("Loss", lossChart.element), accCard);
  const historySlot = h("div", { class: "card" });
  const epochTableSlot = h("div", { class: "card" });
  const specCard = card(
    "Spec",
    h("details", null, h("summary", null, "Model and training configuration (JSON)"), h("pre", { class: "json" }, JSON.stringify({ datasetId: job.datasetId, model: job.model, training: job.training }, null, 2))),
  );
  replace(root, headerSlot, errorSlot, summarySlot, charts, h("div", { class: "two-col" }, card("Learning rate", lrChart.element), historySlot), epochTableSlot, specCard);
  signal.addEventListener("abort", () => [lossChart, accChart, lrChart].forEach((c) => c.destroy()));

  const ended = () => endedStatuses.includes(job.status);

  function renderHeader(): void {
    const actions: Node[] = [];
    if (job.status === "queued" || job.status === "running") {
      const pausing = job.pauseRequested;
      actions.push(actionButton("pause", pausing ? "Pausing…" : "Pause", "button", pausing || job.cancelRequested));
    }
    if (job.status === "paused") actions.push(actionButton("resume", "Resume", "button primary", false));
    if (!ended()) actions.push(actionButton("cancel", job.cancelRequested ? "Cancelling…" : "Cancel job", "button danger", job.cancelRequested));
    if (job.resultModelId) actions.push(h("a", { class: "button primary", href: `#/models/${job.resultModelId}`, "data-action": "open-model" }, "Open model →"));
    replace(
      headerSlot,
      pageHeader(h("span", { class: "title-with-badge" }, labelled(job), statusBadge(job)), {
        crumbs: [["Jobs", "#/jobs"]],
        actions,
        sub: h(
          "span",
          null,
          "Dataset ",
          h("a", { href: `#/datasets/${job.datasetId}` }, job.datasetId),
          ` · submitted ${fmtAgo(job.createdAt)}`,
          job.forkedFrom
            ? h("span", { "data-testid": "forked-from" }, " · forked from ", h("a", { href: `#/jobs/${job.forkedFrom.jobId}` }, job.forkedFrom.jobId), ` after epoch ${job.forkedFrom.epoch}`)
            : null,
          job.attempt > 1 ? ` · attempt ${job.attempt}` : "",
          !ended() ? h("span", { class: `conn ${connected ? "on" : "off"}`, title: connected ? "Following the job live" : "Reconnecting…" }, connected ? " ● live" : " ○ reconnecting") : null,
        ),
      }),
    );
    if (actionError) headerSlot.appendChild(h("p", { class: "notice warn", role: "alert" }, actionError));
  }

  function actionButton(action: JobAction, label: string, className: string, disabled: boolean): HTMLButtonElement {
    const button = h("button", { class: className, type: "button", "data-action": action, disabled }, label);
    button.addEventListener("click", () => void act(action, button));
    return button;
  }

  /** POST /v1/jobs/:id/<action>; the answer is the job as it now is. */
  async function act(action: JobAction, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    actionError = null;
    try {
      job = await post<Job>(`/v1/jobs/${job.id}/${action}`, undefined, signal);
    } catch (error) {
      actionError = error instanceof ApiError && error.status === 409 ? `This job has already ended (${error.message}).` : `Could not ${action}: ${(error as Error).message}`;
      job = await api<Job>(`/v1/jobs/${job.id}`, { signal }).catch(() => job);
    }
    renderAll();
  }

  function renderSummary(): void {
    const rows = [...epochs.values()];
    const done = Math.max(job.epoch, rows.length);
    const running = job.status === "running";
    // A job that stopped early is complete: its bar is full.
    const total = job.status === "succeeded" ? done : job.totalEpochs;
    let progressText = job.status === "succeeded" && done < job.totalEpochs ? `${done} epochs (stopped early; ${job.totalEpochs} allowed)` : `${done} of ${job.totalEpochs} epochs`;
    if (running && progress && progress.epoch > done) progressText += ` · epoch ${progress.epoch}: batch ${progress.batch} of ${progress.batches}, loss ${fmtNumber(progress.loss)}`;
    const fraction = running && progress && progress.epoch > done && progress.batches > 0 ? done + progress.batch / progress.batches : done;
    const started = job.startedAt ? Date.parse(job.startedAt) : null;
    const finished = job.finishedAt ? Date.parse(job.finishedAt) : null;
    const elapsed = started ? (finished ?? Date.now()) - started : null;
    const eta = running && elapsed && done > 0 ? (elapsed / done) * (job.totalEpochs - done) : null;
    const best = job.bestMetrics;
    replace(
      summarySlot,
      h("div", { class: "summary-progress" }, progressBar(Math.round(fraction * 100) / 100, total, { live: running, label: progressText })),
      facts([
        ["Model", describeLayers(job.model)],
        ["Base model", "baseModelId" in job.model ? h("a", { href: `#/models/${job.model.baseModelId}` }, job.model.baseModelId) : null],
        ["Training", describeTraining(job)],
        ["Started", job.startedAt ? fmtTime(job.startedAt) : job.status === "queued" ? "waiting for a worker" : "–"],
        job.status === "paused"
          ? ["Trained for", fmtDuration(rows.reduce((sum, r) => sum + r.durationMs, 0))]
          : [finished ? "Took" : "Running for", elapsed !== null ? fmtDuration(elapsed) : null],
        ["Time left", eta !== null ? `≈ ${fmtDuration(eta)}` : null],
        [
          ended() ? "Best" : "Best so far",
          best
            ? [best.valLoss !== undefined ? `val loss ${fmtNumber(best.valLoss)}` : `loss ${fmtNumber(best.loss)}`, best.valAccuracy !== undefined ? `val acc ${fmtPercent(best.valAccuracy)}` : best.accuracy !== undefined ? `acc ${fmtPercent(best.accuracy)}` : null]
                .filter(Boolean)
                .join(" · ")
            : null,
        ],
        ["Kept epoch", kept ? `${kept.keptEpoch}${kept.stopped === "earlyStopping" ? " (early stopping)" : kept.stopped === "cancelled" ? " (cancelled)" : ""}` : null],
        ["Trained model", job.resultModelId ? h("a", { href: `#/models/${job.resultModelId}` }, job.resultModelId) : null],
      ]),
    );
  }

  function renderError(): void {
    if (job.status !== "failed" || !job.error) return replace(errorSlot);
    const where = [job.error.epoch ? `epoch ${job.error.epoch}` : null, job.error.batch ? `batch ${job.error.batch}` : null].filter(Boolean).join(", ");
    replace(
      errorSlot,
      h(
        "div",
        { class: "card error-card", role: "alert", "data-testid": "job-error" },
        h("h2", null, "Training failed", h("span", { class: "error-code" }, job.error.code)),
        h("p", null, job.error.message),
        where ? h("p", { class: "muted small" }, `At ${where}.`) : null,
      ),
    );
  }

  function renderHistory(): void {
    const item = (attrs: Record<string, string>, badge: HTMLElement, text: string, at: string) => ({
      at: Date.parse(at),
      node: h("li", attrs, badge, h("div", null, h("div", null, text), h("div", { class: "muted small" }, fmtTime(at)))),
    });
    const statuses = job.history.map((change) => item({ "data-status": change.status }, statusBadge(change), change.message || change.status, change.at));
    // Training changed by PATCH while the job ran, in time order among the statuses.
    const changed = () => h("span", { class: "badge status-changed" }, h("span", { class: "dot", "aria-hidden": "true" }), "changed");
    const changes = job.trainingChanges.map((change) => item({ "data-change": "" }, changed(), `${change.fields.map(describeField).join(", ")} (after epoch ${change.epoch})`, change.at));
    const items = [...statuses, ...changes].sort((a, b) => a.at - b.at);
    replace(historySlot, h("h2", { class: "card-title" }, "Status history"), h("ol", { class: "timeline" }, items.map((i) => i.node)));
  }

  function renderEpochTable(): void {
    const rows = [...epochs.values()].sort((a, b) => b.epoch - a.epoch);
    const hasAcc = rows.some((r) => r.accuracy !== null || r.valAccuracy !== null);
    const hasVal = rows.some((r) => r.valLoss !== null);
    replace(
      epochTableSlot,
      h("h2", { class: "card-title" }, "Epochs", rows.length > 0 ? h("span", { class: "muted small" }, ` newest first · ${rows.length}`) : null),
      rows.length === 0
        ? h("p", { class: "muted" }, job.status === "queued" ? "The job waits for a worker." : job.status === "paused" ? "Paused before its first epoch ended." : ended() ? "No epoch completed." : "The first epoch is running…")
        : h(
            "div",
            { class: "scroll-y" },
            h(
              "table",
              { class: "table compact" },
              h(
                "thead",
                null,
                h("tr", null, [
                  "epoch",
                  "loss",
                  hasAcc ? "accuracy" : null,
                  hasVal ? "val loss" : null,
                  hasVal && hasAcc ? "val accuracy" : null,
                  "learning rate",
                  "time",
                ].filter(Boolean).map((c) => h("th", { scope: "col" }, c as string))),
              ),
              h(
                "tbody",
                null,
                rows.map((r) =>
                  h(
                    "tr",
                    { class: kept?.keptEpoch === r.epoch ? "kept-row" : null },
                    h("td", null, String(r.epoch), kept?.keptEpoch === r.epoch ? h("span", { class: "kept-tag" }, "kept") : null),
                    h("td", null, fmtNumber(r.loss)),
                    hasAcc ? h("td", null, fmtPercent(r.accuracy)) : null,
                    hasVal ? h("td", null, fmtNumber(r.valLoss)) : null,
                    hasVal && hasAcc ? h("td", null, fmtPercent(r.valAccuracy)) : null,
                    h("td", null, fmtNumber(r.learningRate)),
                    h("td", null, fmtDuration(r.durationMs)),
                  ),
                ),
              ),
            ),
          ),
    );
  }

  // Epochs can arrive by the hundred (the replay of a long job): draw once per frame.
  let frame = 0;
  function renderLive(): void {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      renderSummary();
      renderEpochTable();
      renderCharts();
    });
  }
  signal.addEventListener("abort", () => cancelAnimationFrame(frame));

  function renderCharts(): void {
    {
      const rows = [...epochs.values()].sort((a, b) => a.epoch - b.epoch);
      const x = rows.map((r) => r.epoch);
      lossChart.setData(x, [rows.map((r) => r.loss), rows.map((r) => r.valLoss)]);
      accChart.setData(x, [rows.map((r) => r.accuracy), rows.map((r) => r.valAccuracy)]);
      lrChart.setData(x, [rows.map((r) => r.learningRate)]);
      accCard.hidden = rows.length > 0 && rows.every((r) => r.accuracy === null && r.valAccuracy === null);
      charts.classList.toggle("single", accCard.hidden);
      const xMax = ended() ? null : job.totalEpochs;
      for (const chart of [lossChart, accChart, lrChart] as EpochChart[]) {
        chart.setXMax(xMax);
        chart.setMarker(kept ? kept.keptEpoch : null, kept ? (kept.stopped === "earlyStopping" ? `early stopping kept epoch ${kept.keptEpoch}` : `kept epoch ${kept.keptEpoch}`) : undefined);
      }
      charts.dataset.epochs = String(rows.length);
    }
  }

  function renderAll(): void {
    renderHeader();
    renderError();
    renderSummary();
    renderHistory();
    renderEpochTable();
    renderCharts();
  }

  async function refreshJob(): Promise<void> {
    job = await api<Job>(`/v1/jobs/${job.id}`, { signal });
    if (job.resultModelId && !kept) {
      const model = await api<Model>(`/v1/models/${job.resultModelId}`, { signal }).catch(() => null);
      if (model?.metrics?.keptEpoch) kept = { keptEpoch: model.metrics.keptEpoch, stopped: model.metrics.stopped };
    }
    renderAll();
  }

  function onEvent(event: StreamEvent): void {
    switch (event.event) {
      case "epoch": {
        const row = event.data as EpochMetric;
        epochs.set(row.epoch, row);
        if (row.epoch > job.epoch) job = { ...job, epoch: row.epoch };
        progress = null;
        renderLive();
        break;
      }
      case "progress":
        progress = event.data;
        renderLive();
        break;
      case "status":
      case "change":
        void refreshJob().catch(() => undefined);
        break;
      case "done": {
        const metrics = (event.data as { metrics?: ModelMetrics }).metrics;
        if (metrics?.keptEpoch) kept = { keptEpoch: metrics.keptEpoch, stopped: metrics.stopped };
        void refreshJob().catch(() => undefined);
        break;
      }
    }
  }

  renderAll();
  // The running timer and ETA move between events.
  const tick = setInterval(() => job.status === "running" && renderSummary(), 1_000);
  signal.addEventListener("abort", () => clearInterval(tick));

  void followEvents(`/v1/jobs/${encodeURIComponent(job.id)}/events`, {
    signal,
    onEvent,
    onConnection(on) {
      connected = on;
      renderHeader();
    },
    onFatal(error) {
      if (!signal.aborted) showError(root, error);
    },
  });
}
