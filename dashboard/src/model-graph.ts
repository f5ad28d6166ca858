// The model as a graph: one box per layer (and one for the input), an arrow
// from each layer to the layers that take its output. dagre lays it out top
// to bottom; the drawing is plain SVG.

import dagre from "@dagrejs/dagre";
import type { LayerSummary } from "./api";
import { svg } from "./dom";
import { fmtInt, fmtShape } from "./format";

const BOX = { width: 184, height: 46 };

/** `frozen(i)`: layer i keeps its weights (transfer learning). */
export function modelGraph(inputShape: number[], layers: LayerSummary[], frozen: (index: number) => boolean): SVGSVGElement {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 30, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  graph.setNode("input", { ...BOX });
  for (const layer of layers) graph.setNode(String(layer.index), { ...BOX });
  for (const layer of layers) for (const source of layer.inputs) graph.setEdge(source === -1 ? "input" : String(source), String(layer.index));
  dagre.layout(graph);

  const { width = 0, height = 0 } = graph.graph();
  const root = svg("svg", { class: "model-graph", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": `model graph: ${layers.length} layers` });
  const marker = svg("marker", { id: "model-graph-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "model-graph-arrowhead" }));
  const defs = svg("defs", {});
  defs.append(marker);
  root.append(defs);

  for (const edge of graph.edges()) {
    const points: { x: number; y: number }[] = graph.edge(edge).points ?? [];
    const d = points.map((p, i) => `${i === 0 ? "M" : "L"} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(" ");
    root.append(svg("path", { d, class: "model-graph-edge", "marker-end": "url(#model-graph-arrow)", "data-edge": `${edge.v}->${edge.w}` }));
  }

  const box = (id: string, title: string, detail: string, kind: string) => {
    const node = graph.node(id);
    const group = svg("g", { class: `model-graph-node ${kind}`, transform: `translate(${node.x - BOX.width / 2}, ${node.y - BOX.height / 2})`, "data-node": id });
    group.append(svg("rect", { width: BOX.width, height: BOX.height, rx: 7 }));
    group.append(svg("text", { x: BOX.width / 2, y: 19, class: "model-graph-title" }, title));
    group.append(svg("text", { x: BOX.width / 2, y: 35, class: "model-graph-detail" }, detail));
    root.append(group);
  };
  box("input", "input", fmtShape(inputShape), "input");
  for (const layer of layers) {
    const title = layer.name ? `${layer.name} · ${layer.type}` : layer.type;
    const params = layer.parameterCount > 0 ? ` · ${fmtInt(layer.parameterCount)} params` : "";
    box(String(layer.index), title.length > 24 ? `${title.slice(0, 23)}…` : title, `${fmtShape(layer.outputShape)}${params}`, frozen(layer.index) ? "frozen" : layer.parameterCount > 0 ? "trainable" : "plain");
  }
  return root;
}
