import { api, jobStatuses, type Job, type Page } from "../api";
import { describeLayers, describeTraining, labelled, loading, pageHeader, progressBar, statusBadge } from "../components";
import { h, replace } from "../dom";
import { fmtAgo, fmtNumber, fmtPercent } from "../format";
import type { ViewContext } from "../view";

const REFRESH_MS = 2_000;
const PAGE = 25;

/** All jobs, newest first, filtered by status; refreshed every 2 s while the tab is visible. */
export async function jobsView({ root, query, signal }: ViewContext): Promise<void> {
  const status = query.get("status") ?? "";
  let limit = PAGE;
  const tabs = h(
    "nav",
    { class: "tabs", "aria-label": "Filter by status" },
    ["", ...jobStatuses].map((s) =>
      h("a", { href: s ? `#/jobs?status=${s}` : "#/jobs", class: s === status ? "tab active" : "tab", "aria-current": s === status ? "page" : null, "data-filter": s || "all" }, s || "all"),
    ),
  );
  const updated = h("span", { class: "muted small live-note" });
  const body = h("div", { class: "card flush" }, loading());
  // Jobs ticked for comparison, kept across the live refreshes.
  const selected = new Set<string>();
  const compare = h("a", { class: "button", "data-action": "compare", "aria-disabled": "true" }, "Compare selected");
  const syncCompare = () => {
    const ready = selected.size >= 2 && selected.size <= 20;
    compare.setAttribute("aria-disabled", String(!ready));
    compare.classList.toggle("disabled", !ready);
    if (ready) compare.setAttribute("href", `#/compare?ids=${[...selected].join(",")}`);
    else compare.removeAttribute("href");
    compare.textContent = selected.size > 0 ? `Compare ${selected.size} selected` : "Compare selected";
  };
  const toggle = (id: string, on: boolean) => (on ? selected.add(id) : selected.delete(id), syncCompare());
  replace(root, pageHeader("Training jobs", { sub: h("span", null, "Newest first. Tick two or more to compare them. ", updated), actions: [compare] }), tabs, body);

  let timer: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener("abort", () => clearTimeout(timer));

  async function refresh(): Promise<void> {
    const params = new URLSearchParams({ limit: String(limit) });
    if (status) params.set("status", status);
    const page = await api<Page<Job>>(`/v1/jobs?${params}`, { signal });
    if (signal.aborted) return;
    replace(body, page.data.length === 0 ? emptyState(status) : table(page.data, selected, toggle));
    if (page.nextCursor && limit < 100) {
      body.appendChild(
        h("div", { class: "table-footer" }, h("button", { class: "button", type: "button", onclick: () => ((limit = Math.min(100, limit + PAGE)), void refresh()) }, "Show more")),
      );
    } else if (page.nextCursor) {
      body.appendChild(h("div", { class: "table-footer muted small" }, "Showing the newest 100 jobs."));
    }
    updated.textContent = `Live: updated ${new Date().toLocaleTimeString()}.`;
  }

  async function loop(): Promise<void> {
    if (signal.aborted) return;
    if (!document.hidden) {
      try {
        await refresh();
      } catch (error) {
        if (signal.aborted) return;
        updated.textContent = `Could not refresh (${(error as Error).message}); retrying.`;
      }
    }
    timer = setTimeout(() => void loop(), REFRESH_MS);
  }
  await refresh();
  timer = setTimeout(() => void loop(), REFRESH_MS);
}

function table(jobs: Job[], selected: Set<string>, toggle: (id: string, on: boolean) => void): HTMLElement {
  return h(
    "table",
    { class: "table jobs-table" },
    h("thead", null, h("tr", null, h("th", { scope: "col", class: "select-cell" }, h("span", { class: "visually-hidden" }, "Select")), ["Status", "Job", "Model", "Progress", "Best validation", "Created"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", null, jobs.map((job) => row(job, selected.has(job.id), (on) => toggle(job.id, on)))),
  );
}

function row(job: Job, checked: boolean, onToggle: (on: boolean) => void): HTMLElement {
  const best = job.bestMetrics;
  const bestText = best
    ? best.valAccuracy !== undefined
      ? `${fmtPercent(best.valAccuracy)} acc`
      : best.valLoss !== undefined
        ? `loss ${fmtNumber(best.valLoss)}`
        : best.accuracy !== undefined
          ? `${fmtPercent(best.accuracy)} acc (train)`
          : `loss ${fmtNumber(best.loss)} (train)`
    : "–";
  return h(
    "tr",
    { "data-job-id": job.id, "data-status": job.status },
    h("td", { class: "select-cell" }, h("input", { type: "checkbox", "aria-label": `select ${job.name ?? job.id}`, checked, onchange: (e: Event) => onToggle((e.target as HTMLInputElement).checked) })),
    h("td", null, statusBadge(job)),
    h("td", null, labelled(job, `#/jobs/${job.id}`), h("div", { class: "muted small job-sub", title: describeTraining(job) }, describeTraining(job))),
    h("td", { class: "model-cell" }, h("span", { title: describeLayers(job.model) }, describeLayers(job.model))),
    h("td", { class: "progress-cell" }, progressBar(job.epoch, job.totalEpochs, { live: job.status === "running", label: `${job.epoch} / ${job.totalEpochs} epochs` })),
    h("td", null, bestText),
    h("td", { class: "nowrap", title: new Date(job.createdAt).toLocaleString() }, fmtAgo(job.createdAt)),
  );
}

function emptyState(status: string): HTMLElement {
  if (status) return h("div", { class: "empty-state" }, h("h2", null, `No ${status} jobs`), h("p", null, h("a", { href: "#/jobs" }, "Show all jobs")));
  return h(
    "div",
    { class: "empty-state" },
    h("h2", null, "No training jobs yet"),
    h("p", null, "Upload a dataset, then submit a model spec: the job shows up here and updates live."),
    h(
      "pre",
      null,
      `curl -s ${location.origin}/v1/jobs -H "authorization: Bearer $KEY" \\
  -H 'content-type: application/json' -d '{"datasetId": "ds_…", "model": {…}, "training": {…}}'`,
    ),
    h("p", null, "The whole API, with examples: ", h("a", { href: "/docs", target: "_blank", rel: "noopener" }, "API docs"), "."),
  );
}
