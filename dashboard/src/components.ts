import type { Job, JobModel, LayerSpec, ModelSpec } from "./api";
import { h } from "./dom";

/** A job's status, or what it is about to become (cancelling, pausing) while its worker gets to the next batch. */
export function statusBadge({ status, cancelRequested = false, pauseRequested = false }: Pick<Job, "status"> & Partial<Pick<Job, "cancelRequested" | "pauseRequested">>): HTMLElement {
  const stopping = status === "running" || status === "queued";
  const label = stopping && cancelRequested ? "cancelling" : stopping && pauseRequested ? "pausing" : status;
  return h("span", { class: `badge status-${label}`, "data-status": status }, h("span", { class: "dot", "aria-hidden": "true" }), label);
}

export function progressBar(done: number, total: number, { live = false, label }: { live?: boolean; label?: string } = {}): HTMLElement {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  return h(
    "div",
    { class: `progress${live ? " live" : ""}`, role: "progressbar", "aria-valuemin": 0, "aria-valuemax": total, "aria-valuenow": done },
    h("div", { class: "progress-track" }, h("div", { class: "progress-fill", style: `width: ${(share * 100).toFixed(2)}%` })),
    h("span", { class: "progress-label" }, label ?? `${done} / ${total}`),
  );
}

export function pageHeader(title: string | Node, { crumbs = [], actions = [], sub }: { crumbs?: [string, string][]; actions?: Node[]; sub?: Node | string | null } = {}): HTMLElement {
  return h(
    "div",
    { class: "page-header" },
    crumbs.length > 0 ? h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, crumbs.map(([text, href]) => [h("a", { href }, text), h("span", { class: "sep" }, "/")])) : null,
    h("div", { class: "page-title-row" }, h("h1", null, title), actions.length > 0 ? h("div", { class: "actions" }, actions) : null),
    sub ? h("div", { class: "page-sub" }, sub) : null,
  );
}

export function card(title: string | null, ...children: (Node | string | null | false)[]): HTMLElement {
  return h("section", { class: "card" }, title ? h("h2", { class: "card-title" }, title) : null, ...children);
}

export function facts(items: [string, Node | string | number | null | undefined][]): HTMLElement {
  return h(
    "dl",
    { class: "facts" },
    items.filter(([, value]) => value !== null && value !== undefined && value !== "").map(([term, value]) => h("div", null, h("dt", null, term), h("dd", null, value as Node | string))),
  );
}

export function mono(text: string): HTMLElement {
  return h("code", { class: "mono" }, text);
}

/** "conv2d 8 → maxPool2d → flatten → dense 64 → dense 10" */
export function describeLayers(spec: JobModel | ModelSpec | undefined): string {
  if (spec === undefined) return "–";
  if ("baseModelId" in spec) {
    // Transfer learning: {baseModelId, dropLayers, addLayers, freeze}
    const drop = spec.dropLayers ? ` minus ${spec.dropLayers} layer${spec.dropLayers === 1 ? "" : "s"}` : "";
    const add = spec.addLayers && spec.addLayers.length > 0 ? ` → ${spec.addLayers.map(describeLayer).join(" → ")}` : "";
    return `${spec.baseModelId}${drop}${add}`;
  }
  return spec.layers.map(describeLayer).join(" → ");
}

export function describeLayer(layer: LayerSpec): string {
  const size = "units" in layer ? layer.units : "filters" in layer ? layer.filters : undefined;
  return size !== undefined ? `${layer.type} ${size}` : layer.type;
}

export function describeTraining(job: Job): string {
  const t = job.training;
  const optimizer = t.optimizer?.type ? `${t.optimizer.type}${t.optimizer.learningRate !== undefined ? ` lr ${t.optimizer.learningRate}` : ""}` : null;
  return [t.loss, optimizer, t.batchSize !== undefined ? `batch ${t.batchSize}` : null].filter(Boolean).join(" · ");
}

export function copyButton(text: () => string, label = "Copy"): HTMLButtonElement {
  const button = h("button", { class: "button small", type: "button" }, label);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = "Copied";
    } catch {
      button.textContent = "Copy failed";
    }
    setTimeout(() => (button.textContent = label), 1500);
  });
  return button;
}

export function loading(text = "Loading…"): HTMLElement {
  return h("div", { class: "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

/** A job's or model's name (or its id when it has none) and its tags, as a list or page shows them. */
export function labelled(item: { id: string; name: string | null; tags: string[] }, href?: string): HTMLElement {
  const title = href ? h("a", { href, class: item.name ? "strong-link named" : "strong-link" }, item.name ?? item.id) : h("span", null, item.name ?? item.id);
  return h(
    "span",
    { class: "labelled" },
    title,
    item.name ? h("span", { class: "muted small labelled-id" }, item.id) : null,
    item.tags.length > 0 ? h("span", { class: "tags" }, item.tags.map((tag) => h("span", { class: "tag", "data-tag": tag }, tag))) : null,
  );
}
