// Line charts of per-epoch metrics (uPlot, bundled), with the epoch kept by
// early stopping marked; the other charts are plain DOM (bars, heat map).

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "./dom";
import { fmtNumber } from "./format";

export const colors = { train: "#4f46e5", val: "#ea580c", lr: "#0d9488", kept: "#16a34a", grid: "#eef0f4", axis: "#6b7280" };

export interface SeriesDef {
  label: string;
  color: string;
  dash?: number[];
}

export interface EpochChart {
  element: HTMLElement;
  /** x: epochs; ys: one array per series (null where missing). */
  setData(x: number[], ys: (number | null)[][]): void;
  /** Marks an epoch (the one kept by early stopping), or clears the mark. */
  setMarker(epoch: number | null, label?: string): void;
  /** Keeps the x axis open up to this epoch while the job runs (null: fit the data). */
  setXMax(epoch: number | null): void;
  destroy(): void;
}

export function epochChart({ series, percent = false, log = false, height = 230, emptyText = "Waiting for the first epoch…" }: { series: SeriesDef[]; percent?: boolean; log?: boolean; height?: number; emptyText?: string }): EpochChart {
  const plotHost = h("div", { class: "chart-plot" });
  const empty = h("div", { class: "chart-empty" }, emptyText);
  const element = h("div", { class: "chart" }, plotHost, empty);
  let marker: { epoch: number; label: string } | null = null;
  let xMax: number | null = null;
  let data: uPlot.AlignedData = [[], ...series.map(() => [])];

  const format = (value: number) => (percent ? `${Math.round(value * 100)}%` : fmtNumber(value, 3));
  const options: uPlot.Options = {
    width: 600,
    height,
    padding: [24, 14, 0, 4],
    scales: {
      x: {
        time: false,
        range: (_u, min, max) => {
          const hi = Math.max(xMax ?? max ?? 1, max ?? 1, 1);
          const lo = Math.min(min ?? 1, 1);
          return hi - lo < 1 ? [lo - 0.25, hi + 0.25] : [lo, hi];
        },
      },
      y: percent
        ? { range: (_u, min) => [Math.min(0, Math.floor((min ?? 0) * 10) / 10), 1] }
        : log
          ? { distr: 3 }
          : { range: (_u, min, max) => uPlot.rangeNum(Math.min(0, min), max, 0.1, true) },
    },
    axes: [
      {
        label: "epoch",
        labelSize: 20,
        labelFont: "12px system-ui, sans-serif",
        font: "11px system-ui, sans-serif",
        stroke: colors.axis,
        grid: { stroke: colors.grid, width: 1 },
        ticks: { stroke: colors.grid, width: 1 },
        incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000],
        values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : "")),
      },
      {
        font: "11px system-ui, sans-serif",
        stroke: colors.axis,
        // Wide enough for the longest tick label (1e-4 or 5.44e+28 alike).
        size: (_u, values) => Math.max(40, Math.ceil(Math.max(0, ...(values ?? []).map((v) => String(v).length)) * 6.6) + 18),
        grid: { stroke: colors.grid, width: 1 },
        ticks: { stroke: colors.grid, width: 1 },
        values: (_u, splits) => splits.map(format),
      },
    ],
    series: [
      // Away from the cursor, the legend shows the latest values.
      { label: "epoch", value: (u, v, _s, i) => show(i === null ? latest(u, 0) : v, String) },
      ...series.map(
        (s, k): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          dash: s.dash,
          spanGaps: true,
          points: { size: 5, fill: s.color },
          value: (u, v, _s, i) => show(i === null ? latest(u, k + 1) : v, (n) => (percent ? `${(n * 100).toFixed(1)}%` : fmtNumber(n))),
        }),
      ),
    ],
    legend: { live: true },
    cursor: { drag: { x: false, y: false }, points: { size: 7 } },
    hooks: {
      draw: [
        (u) => {
          if (!marker) return;
          const x = Math.round(u.valToPos(marker.epoch, "x", true));
          const { top, height: plotHeight } = u.bbox;
          const ctx = u.ctx;
          const ratio = devicePixelRatio || 1;
          ctx.save();
          ctx.strokeStyle = colors.kept;
          ctx.lineWidth = 1.5 * ratio;
          ctx.setLineDash([5 * ratio, 4 * ratio]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + plotHeight);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.font = `${11 * ratio}px system-ui, sans-serif`;
          ctx.fillStyle = colors.kept;
          const text = marker.label;
          const width = ctx.measureText(text).width;
          // Above the plot area (in its top padding), so it never hides a curve.
          const centred = x - width / 2;
          const textX = Math.max(u.bbox.left, Math.min(centred, u.bbox.left + u.bbox.width - width));
          ctx.textAlign = "left";
          ctx.textBaseline = "bottom";
          ctx.fillText(text, textX, top - 4 * ratio);
          ctx.restore();
        },
      ],
    },
  };

  const plot = new uPlot(options, data, plotHost);
  const resize = new ResizeObserver(() => {
    const width = Math.max(240, Math.floor(element.clientWidth));
    if (Math.abs(plot.width - width) > 1) plot.setSize({ width, height });
  });
  resize.observe(element);

  return {
    element,
    setData(x, ys) {
      data = [x, ...ys] as uPlot.AlignedData;
      empty.hidden = x.length > 0;
      plot.setData(data);
      // A series with no value at all (no validation data) leaves the legend.
      const rows = plot.root.querySelectorAll<HTMLElement>(".u-legend .u-series");
      ys.forEach((values, k) => {
        const none = x.length > 0 && values.every((v) => v === null || v === undefined);
        if (rows[k + 1]) rows[k + 1].hidden = none;
      });
    },
    setMarker(epoch, label) {
      marker = epoch === null ? null : { epoch, label: label ?? `kept: epoch ${epoch}` };
      plot.redraw(false);
    },
    setXMax(epoch) {
      xMax = epoch;
      plot.setData(data);
    },
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}

function latest(u: uPlot, series: number): number | null {
  const values = u.data[series] as (number | null | undefined)[];
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return values[i] as number;
  return null;
}

function show(value: number | null | undefined, format: (n: number) => string): string {
  return value === null || value === undefined ? "–" : format(value);
}

/** Horizontal bars with counts, e.g. samples per class. */
export function barChart(items: { label: string; value: number }[], { color = colors.train, unit = "" } = {}): HTMLElement {
  const max = Math.max(1, ...items.map((item) => item.value));
  const total = items.reduce((sum, item) => sum + item.value, 0) || 1;
  return h(
    "div",
    { class: "bars", role: "list" },
    items.map((item) =>
      h(
        "div",
        { class: "bar-row", role: "listitem" },
        h("span", { class: "bar-label", title: item.label }, item.label),
        h("span", { class: "bar-track" }, h("span", { class: "bar-fill", style: `width: ${(item.value / max) * 100}%; background: ${color}` })),
        h("span", { class: "bar-value" }, `${item.value.toLocaleString("en-US")}${unit}`, h("span", { class: "muted" }, ` · ${((item.value / total) * 100).toFixed(1)}%`)),
      ),
    ),
  );
}

/** confusion[true][predicted] as a heat map, shaded by the share of each true class's row. */
export function confusionHeatmap(confusion: number[][], classNames: string[]): HTMLElement {
  const name = (k: number) => classNames[k] ?? String(k);
  const table = h("table", { class: "heatmap" });
  const head = h("tr", null, h("th", { class: "corner" }, h("span", null, "true ↓"), h("br"), h("span", null, "predicted →")), confusion.map((_, k) => h("th", { scope: "col", title: name(k) }, name(k))));
  table.appendChild(h("thead", null, head));
  const body = h("tbody");
  confusion.forEach((row, i) => {
    const total = row.reduce((sum, v) => sum + v, 0) || 1;
    body.appendChild(
      h(
        "tr",
        null,
        h("th", { scope: "row", title: name(i) }, name(i)),
        row.map((count, j) => {
          const share = count / total;
          const diagonal = i === j;
          const hue = diagonal ? "79, 70, 229" : "220, 38, 38";
          const alpha = count === 0 ? 0 : 0.12 + 0.88 * share;
          return h(
            "td",
            {
              style: `background: rgba(${hue}, ${alpha.toFixed(3)}); color: ${alpha > 0.55 ? "#fff" : "#1f2937"}`,
              title: `true ${name(i)}, predicted ${name(j)}: ${count} (${(share * 100).toFixed(1)}% of ${name(i)})`,
            },
            String(count),
          );
        }),
      ),
    );
  });
  table.appendChild(body);
  return h("div", { class: "heatmap-wrap" }, table);
}
