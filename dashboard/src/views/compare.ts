import { api, type JobComparison } from "../api";
import { card, loading, pageHeader } from "../components";
import { epochChart, type EpochChart } from "../charts";
import { h, replace } from "../dom";
import type { ViewContext } from "../view";

// Several jobs' curves overlaid (GET /v1/jobs/compare), as W&B and TensorBoard
// show runs: one metric at a time, optional log scale and smoothing, and the
// settings that differ between the jobs.

const PALETTE = ["#4f46e5", "#ea580c", "#0d9488", "#db2777", "#65a30d", "#7c3aed", "#0284c7", "#ca8a04", "#dc2626", "#475569"];
type MetricName = keyof JobComparison["metrics"];
const METRICS: MetricName[] = ["loss", "valLoss", "accuracy", "valAccuracy", "mae", "valMae", "learningRate"];

/** Exponential moving average, as TensorBoard's smoothing slider (nulls stay gaps). */
export function smooth(values: (number | null)[], weight: number): (number | null)[] {
  let last: number | null = null;
  return values.map((v) => {
    if (v === null) return null;
    last = last === null ? v : last * weight + (1 - weight) * v;
    return last;
  });
}

export async function compareView({ root, query, signal }: ViewContext): Promise<void> {
  const ids = query.get("ids") ?? "";
  replace(root, pageHeader("Compare jobs"), loading());
  const comparison = await api<JobComparison>(`/v1/jobs/compare?ids=${encodeURIComponent(ids)}`, { signal });
  const available = METRICS.filter((m) => comparison.metrics[m].some((series) => series.some((v) => v !== null)));
  let metric: MetricName = available[0] ?? "loss";
  let log = false;
  let weight = 0;
  let chart: EpochChart | null = null;
  signal.addEventListener("abort", () => chart?.destroy());

  const chartSlot = h("div", { class: "compare-chart" });
  function draw(): void {
    chart?.destroy();
    chart = epochChart({ series: comparison.jobs.map((job, i) => ({ label: job.name ?? job.id, color: PALETTE[i % PALETTE.length] })), log, percent: metric.toLowerCase().includes("accuracy") && !log, height: 320 });
    replace(chartSlot, chart.element);
    chart.setData(comparison.epochs, comparison.metrics[metric].map((series) => smooth(series, weight)));
    chartSlot.dataset.metric = metric;
    chartSlot.dataset.log = String(log);
    chartSlot.dataset.smoothing = String(weight);
  }

  const metricSelect = h("select", { id: "compare-metric", onchange: (e: Event) => ((metric = (e.target as HTMLSelectElement).value as MetricName), draw()) }, available.map((m) => h("option", { value: m }, m)));
  const logBox = h("input", { id: "compare-log", type: "checkbox", onchange: (e: Event) => ((log = (e.target as HTMLInputElement).checked), draw()) });
  const smoothing = h("input", { id: "compare-smoothing", type: "range", min: "0", max: "0.95", step: "0.05", value: "0", oninput: (e: Event) => ((weight = Number((e.target as HTMLInputElement).value)), draw()) });

  replace(
    root,
    pageHeader("Compare jobs", { crumbs: [["Jobs", "#/jobs"]], sub: `${comparison.jobs.length} jobs, ${comparison.epochs.length} epochs` }),
    card(
      null,
      h(
        "div",
        { class: "compare-controls" },
        h("label", null, "Metric ", metricSelect),
        h("label", null, logBox, " log scale"),
        h("label", null, "smoothing ", smoothing),
      ),
      chartSlot,
      h(
        "ul",
        { class: "compare-legend" },
        comparison.jobs.map((job, i) => h("li", null, h("span", { class: "swatch", style: `background:${PALETTE[i % PALETTE.length]}` }), h("a", { href: `#/jobs/${job.id}` }, job.name ?? job.id), h("span", { class: "muted small" }, ` ${job.status}, ${job.epochs} epochs`))),
      ),
    ),
    card(
      "Settings that differ",
      comparison.differences.length === 0
        ? h("p", { class: "muted" }, "The jobs' settings are the same.")
        : h(
            "table",
            { class: "table differences-table" },
            h("thead", null, h("tr", null, h("th", { scope: "col" }, "setting"), comparison.jobs.map((job) => h("th", { scope: "col" }, job.name ?? job.id)))),
            h("tbody", null, comparison.differences.map((d) => h("tr", null, h("td", { class: "mono small" }, d.path), d.values.map((v) => h("td", null, v === null ? "–" : JSON.stringify(v)))))),
          ),
    ),
  );
  draw();
}
