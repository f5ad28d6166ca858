import { api, type Sweep } from "../api";
import { card, facts, loading, pageHeader } from "../components";
import { h, replace } from "../dom";
import { fmtAgo, fmtInt, fmtNumber } from "../format";
import { parameterScatter } from "../scatter";
import type { ViewContext } from "../view";

/** How often a running sweep's page reads it again (sweeps have no event stream). */
const REFRESH_MS = 2_000;

/** A sweep: its best trial, each parameter against the metric, and every trial (GET /v1/sweeps/{id}). */
export async function sweepView({ root, params, signal }: ViewContext): Promise<void> {
  replace(root, loading());
  for (;;) {
    const sweep = await api<Sweep>(`/v1/sweeps/${encodeURIComponent(params.id)}`, { signal });
    render(root, sweep);
    if (sweep.status !== "running") return;
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
    if (signal.aborted) return;
  }
}

function render(root: HTMLElement, sweep: Sweep): void {
  const pointers = [...new Set(sweep.trials.flatMap((t) => Object.keys(t.parameters)))];
  const measured = sweep.trials.filter((t) => t.metric !== null);
  const jobIds = sweep.trials.flatMap((t) => (t.jobId ? [t.jobId] : []));
  const best = sweep.best;
  replace(
    root,
    pageHeader(h("span", { class: "title-with-badge" }, sweep.name ?? sweep.id, h("span", { class: "badge", "data-status": sweep.status }, sweep.status)), {
      crumbs: [["Sweeps", "#/sweeps"]],
      actions: jobIds.length >= 2 ? [h("a", { class: "button", href: `#/compare?ids=${jobIds.slice(0, 20).join(",")}`, "data-action": "compare-trials" }, "Compare trials")] : [],
      sub: `${sweep.method} search · ${sweep.goal} ${sweep.metric} · ${sweep.trials.length} of ${sweep.maxTrials} trials, ${sweep.maxParallel} at a time · started ${fmtAgo(sweep.createdAt)}`,
    }),
    h(
      "div",
      { class: "two-col" },
      card(
        "Best trial",
        best
          ? facts([
              [sweep.metric, fmtNumber(best.metric, 4)],
              ...Object.entries(best.parameters).map(([pointer, value]) => [pointer, String(value)] as [string, string]),
              ["Job", h("a", { href: `#/jobs/${best.jobId}` }, best.jobId)],
              ["Model", best.modelId ? h("a", { href: `#/models/${best.modelId}`, "data-action": "open-best-model" }, best.modelId) : null],
            ])
          : h("p", { class: "muted" }, "No trial has finished yet."),
      ),
      card(
        "Budget",
        facts([
          ["Trials", `${sweep.trials.length} of ${sweep.maxTrials}`],
          ["Pruned", fmtInt(sweep.trials.filter((t) => t.status === "pruned").length)],
          ["Waiting at a rung", sweep.status === "running" ? fmtInt(sweep.trials.filter((t) => t.status === "waiting").length) : null],
          ["Failed", fmtInt(sweep.trials.filter((t) => t.status === "failed").length)],
          ["Epochs trained", fmtInt(sweep.epochsTrained)],
        ]),
      ),
    ),
    measured.length > 0
      ? card(
          `${sweep.metric} against each parameter`,
          h(
            "div",
            { class: "scatter-grid" },
            pointers.map((pointer) =>
              parameterScatter(
                pointer,
                sweep.metric,
                measured.map((t) => ({ x: t.parameters[pointer], y: t.metric!, label: `trial ${t.number}`, best: t.jobId === best?.jobId, pruned: t.status === "pruned" })),
              ),
            ),
          ),
        )
      : null,
    h(
      "div",
      { class: "card flush" },
      h(
        "table",
        { class: "table trials-table" },
        h("thead", null, h("tr", null, ["#", ...pointers, "Status", sweep.metric, "Epochs", "Job"].map((c) => h("th", { scope: "col" }, c)))),
        h(
          "tbody",
          null,
          sweep.trials.map((t) =>
            h(
              "tr",
              { "data-trial": t.number, "data-status": t.status, class: t.jobId === best?.jobId ? "kept-row" : null },
              h("td", null, String(t.number)),
              pointers.map((pointer) => h("td", { class: "num" }, typeof t.parameters[pointer] === "number" ? fmtNumber(t.parameters[pointer] as number, 4) : String(t.parameters[pointer]))),
              h("td", null, t.error ? h("span", { title: t.error }, "failed") : t.status),
              h("td", { class: "num" }, fmtNumber(t.metric, 4)),
              h("td", { class: "num" }, fmtInt(t.epochs)),
              h("td", null, t.jobId ? h("a", { href: `#/jobs/${t.jobId}` }, t.jobId) : "–"),
            ),
          ),
        ),
      ),
    ),
  );
}
