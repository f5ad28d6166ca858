import { api, type Dataset, type Page } from "../api";
import { loading, pageHeader } from "../components";
import { h, replace } from "../dom";
import { fmtAgo, fmtInt, fmtShape } from "../format";
import type { ViewContext } from "../view";

export async function datasetsView({ root, signal }: ViewContext): Promise<void> {
  replace(root, pageHeader("Datasets", { sub: "Uploaded training data, newest first." }), loading());
  const page = await api<Page<Dataset>>("/v1/datasets?limit=100", { signal });
  root.lastElementChild!.replaceWith(
    h(
      "div",
      { class: "card flush" },
      page.data.length === 0
        ? h(
            "div",
            { class: "empty-state" },
            h("h2", null, "No datasets yet"),
            h("p", null, "Upload one as JSON (features and labels) or CSV:"),
            h("pre", null, `curl -s ${location.origin}/v1/datasets -H "authorization: Bearer $KEY" \\\n  -H 'content-type: text/csv' --data-binary @iris.csv '${location.origin}/v1/datasets?label=species&name=iris'`),
          )
        : h(
            "table",
            { class: "table" },
            h("thead", null, h("tr", null, ["Name", "Id", "Samples", "Input shape", "Task", "Uploaded"].map((c) => h("th", { scope: "col" }, c)))),
            h(
              "tbody",
              null,
              page.data.map((d) =>
                h(
                  "tr",
                  null,
                  h("td", null, h("a", { href: `#/datasets/${d.id}`, class: "strong-link" }, d.name)),
                  h("td", { class: "mono small" }, d.id),
                  h("td", null, fmtInt(d.numSamples)),
                  h("td", null, fmtShape(d.inputShape)),
                  h("td", null, d.task === "classification" ? `${d.numClasses} classes` : "regression"),
                  h("td", { class: "nowrap" }, fmtAgo(d.createdAt)),
                ),
              ),
            ),
          ),
    ),
  );
}
