import { api, type RegisteredModel } from "../api";
import { loading, pageHeader } from "../components";
import { h, replace } from "../dom";
import { fmtAgo } from "../format";
import type { ViewContext } from "../view";

/** The model registry (GET /v1/registered-models): each name with its aliases and versions. */
export async function registryView({ root, signal }: ViewContext): Promise<void> {
  replace(root, pageHeader("Registry", { sub: "Names the project keeps for its models: numbered versions, and aliases that move between them." }), loading());
  const { data } = await api<{ data: RegisteredModel[] }>("/v1/registered-models", { signal });
  root.lastElementChild!.replaceWith(
    data.length === 0
      ? h("div", { class: "card empty-state" }, h("h2", null, "Nothing registered yet"), h("p", null, "POST /v1/registered-models with a name, then register trained models as its versions: ", h("a", { href: "/docs", target: "_blank", rel: "noopener" }, "API docs"), "."))
      : h("div", null, data.map(registered)),
  );
}

function registered(model: RegisteredModel): HTMLElement {
  return h(
    "section",
    { class: "card registered-model", "data-registered": model.name },
    h("h2", null, model.name, model.tags.length > 0 ? h("span", { class: "tags" }, model.tags.map((tag) => h("span", { class: "tag" }, tag))) : null),
    model.description ? h("p", { class: "muted" }, model.description) : null,
    h(
      "p",
      { class: "aliases" },
      Object.keys(model.aliases).length === 0
        ? h("span", { class: "muted small" }, "No alias yet.")
        : Object.entries(model.aliases).map(([alias, version]) => h("span", { class: "alias-chip", "data-alias": alias }, `${alias} → v${version}`)),
    ),
    h(
      "table",
      { class: "table versions-table" },
      h("thead", null, h("tr", null, ["Version", "Model", "Aliases", "Description", "Registered"].map((c) => h("th", { scope: "col" }, c)))),
      h(
        "tbody",
        null,
        model.versions.map((v) =>
          h(
            "tr",
            { "data-version": v.version },
            h("td", null, `v${v.version}`),
            h("td", null, h("a", { href: `#/models/${v.modelId}` }, v.modelId)),
            h("td", null, v.aliases.join(", ") || "–"),
            h("td", null, v.description || "–"),
            h("td", { class: "nowrap" }, fmtAgo(v.createdAt)),
          ),
        ),
      ),
    ),
  );
}
