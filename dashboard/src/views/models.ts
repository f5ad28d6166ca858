import { api, type Model, type Page } from "../api";
import { describeLayers, labelled, loading, pageHeader } from "../components";
import { h, replace } from "../dom";
import { fmtAgo, fmtInt, fmtNumber, fmtPercent } from "../format";
import type { ViewContext } from "../view";

/** Trained models, newest first (GET /v1/models). */
export async function modelsView({ root, signal }: ViewContext): Promise<void> {
  replace(root, pageHeader("Models", { sub: "Every model a succeeded job trained, newest first." }), loading());
  const page = await api<Page<Model>>("/v1/models?limit=100", { signal });
  const rows = page.data.map((model) =>
    row(model, model.sourceJobId, describeLayers(model.spec), model.metrics.valAccuracy ?? model.metrics.accuracy, model.metrics.valLoss ?? model.metrics.loss, model.parameterCount, model.createdAt),
  );
  root.lastElementChild!.replaceWith(
    h(
      "div",
      { class: "card flush" },
      rows.length === 0
        ? h("div", { class: "empty-state" }, h("h2", null, "No models yet"), h("p", null, "A job that succeeds stores its model here. ", h("a", { href: "#/jobs" }, "See the jobs")))
        : h(
            "table",
            { class: "table" },
            h("thead", null, h("tr", null, ["Model", "Layers", "Accuracy", "Loss", "Parameters", "Source job", "Trained"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", null, rows),
          ),
    ),
  );
}

function row(model: Model, jobId: string, layers: string, accuracy: number | undefined, loss: number | undefined, parameters: number, at: string): HTMLElement {
  return h(
    "tr",
    null,
    h("td", null, labelled(model, `#/models/${model.id}`)),
    h("td", { class: "model-cell" }, layers),
    h("td", null, fmtPercent(accuracy)),
    h("td", null, fmtNumber(loss)),
    h("td", { class: "num" }, fmtInt(parameters)),
    h("td", null, h("a", { href: `#/jobs/${jobId}` }, jobId)),
    h("td", { class: "nowrap" }, fmtAgo(at)),
  );
}
