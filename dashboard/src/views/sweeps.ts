import { api, type Sweep } from "../api";
import { loading, pageHeader } from "../components";
import { h, replace } from "../dom";
import { fmtAgo, fmtNumber } from "../format";
import type { ViewContext } from "../view";

/** Hyperparameter sweeps, newest first (GET /v1/sweeps). */
export async function sweepsView({ root, signal }: ViewContext): Promise<void> {
  replace(root, pageHeader("Sweeps", { sub: "Hyperparameter searches: each trial is a job." }), loading());
  const { data } = await api<{ data: Sweep[] }>("/v1/sweeps", { signal });
  root.lastElementChild!.replaceWith(
    h(
      "div",
      { class: "card flush" },
      data.length === 0
        ? h("div", { class: "empty-state" }, h("h2", null, "No sweeps yet"), h("p", null, "POST /v1/sweeps with a base job and a search space: ", h("a", { href: "/docs", target: "_blank", rel: "noopener" }, "API docs"), "."))
        : h(
            "table",
            { class: "table sweeps-table" },
            h("thead", null, h("tr", null, ["Sweep", "Status", "Method", "Trials", "Best", "Created"].map((c) => h("th", { scope: "col" }, c)))),
            h(
              "tbody",
              null,
              data.map((s) =>
                h(
                  "tr",
                  { "data-sweep-id": s.id },
                  h("td", null, h("a", { href: `#/sweeps/${s.id}`, class: "strong-link" }, s.name ?? s.id)),
                  h("td", null, s.status),
                  h("td", null, s.method),
                  h("td", null, `${s.trials.length} / ${s.maxTrials}`),
                  h("td", null, s.best ? `${s.metric} ${fmtNumber(s.best.metric, 4)}` : "–"),
                  h("td", { class: "nowrap" }, fmtAgo(s.createdAt)),
                ),
              ),
            ),
          ),
    ),
  );
}
