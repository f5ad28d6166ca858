// One parameter of a sweep against its metric: a point per trial, the best
// ringed, pruned trials hollow. A log x axis when the values span more than
// a factor of 50 (learning rates); categorical values spread evenly.

import { h, svg } from "./dom";
import { fmtNumber } from "./format";

export interface ScatterPoint {
  x: unknown;
  y: number;
  label: string;
  best: boolean;
  pruned: boolean;
}

const SIZE = { width: 300, height: 190, left: 48, right: 12, top: 12, bottom: 34 };

export function parameterScatter(parameter: string, metric: string, points: ScatterPoint[]): HTMLElement {
  const numeric = points.every((p) => typeof p.x === "number");
  const xs = points.map((p) => p.x);
  const categories = numeric ? [] : [...new Set(xs.map((x) => JSON.stringify(x)))];
  const values = numeric ? (xs as number[]) : [];
  const log = numeric && values.every((v) => v > 0) && Math.max(...values) / Math.min(...values) > 50;
  const scaled = (x: unknown) => (numeric ? (log ? Math.log10(x as number) : (x as number)) : categories.indexOf(JSON.stringify(x)));
  const sx = points.map((p) => scaled(p.x));
  const [x0, x1] = numeric ? [Math.min(...sx), Math.max(...sx)] : [-0.5, categories.length - 0.5];
  const [y0, y1] = [Math.min(...points.map((p) => p.y)), Math.max(...points.map((p) => p.y))];
  const plotW = SIZE.width - SIZE.left - SIZE.right;
  const plotH = SIZE.height - SIZE.top - SIZE.bottom;
  const px = (v: number) => SIZE.left + (x1 === x0 ? plotW / 2 : ((v - x0) / (x1 - x0)) * plotW);
  const py = (v: number) => SIZE.top + (y1 === y0 ? plotH / 2 : (1 - (v - y0) / (y1 - y0)) * plotH);

  const chart = svg("svg", { viewBox: `0 0 ${SIZE.width} ${SIZE.height}`, class: "scatter", role: "img", "aria-label": `${metric} against ${parameter}` });
  chart.append(svg("rect", { x: SIZE.left, y: SIZE.top, width: plotW, height: plotH, class: "scatter-frame" }));
  for (const v of [y0, y1]) {
    chart.append(svg("text", { x: SIZE.left - 6, y: py(v) + 4, "text-anchor": "end", class: "scatter-tick" }, fmtNumber(v, 3)));
  }
  const xTicks = numeric ? [x0, x1] : categories.map((_, i) => i);
  for (const v of xTicks) {
    const text = numeric ? fmtNumber(log ? 10 ** v : v, 3) : JSON.parse(categories[v]);
    chart.append(svg("text", { x: px(v), y: SIZE.height - SIZE.bottom + 16, "text-anchor": "middle", class: "scatter-tick" }, String(text)));
  }
  chart.append(svg("text", { x: SIZE.left + plotW / 2, y: SIZE.height - 4, "text-anchor": "middle", class: "scatter-label" }, `${parameter}${log ? " (log)" : ""}`));
  points.forEach((point, i) => {
    const dot = svg("circle", { cx: px(sx[i]), cy: py(point.y), r: point.best ? 6 : 4.5, class: `scatter-dot${point.pruned ? " pruned" : ""}${point.best ? " best" : ""}`, "data-trial": point.label });
    dot.append(svg("title", {}, `${point.label}: ${metric} ${fmtNumber(point.y, 4)}`));
    chart.append(dot);
  });
  return h("figure", { class: "scatter-figure" }, chart);
}
