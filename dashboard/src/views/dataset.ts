import { api, type Dataset } from "../api";
import { barChart, colors } from "../charts";
import { card, facts, loading, mono, pageHeader } from "../components";
import { h, replace } from "../dom";
import { fmtInt, fmtNumber, fmtShape, fmtTime } from "../format";
import type { ViewContext } from "../view";

interface Samples {
  features: number[][];
  labels: number[];
}

const IMAGE_PAGE = 32;
const TABLE_PAGE = 10;
const STATS_SHOWN = 12;

/** A dataset: its shape, class balance, feature statistics, and a look at its samples (images drawn from the stored pixels). */
export async function datasetView({ root, params, signal }: ViewContext): Promise<void> {
  replace(root, loading());
  const d = await api<Dataset>(`/v1/datasets/${encodeURIComponent(params.id)}`, { signal });
  const isImage = d.inputShape.length === 3;
  const isClassification = d.task === "classification";

  replace(
    root,
    pageHeader(d.name, {
      crumbs: [["Datasets", "#/datasets"]],
      sub: h("span", null, mono(d.id), ` · uploaded ${fmtTime(d.createdAt)}`),
    }),
    h(
      "div",
      { class: "two-col" },
      card(
        "Shape",
        facts([
          ["Samples", fmtInt(d.numSamples)],
          ["Features", fmtInt(d.numFeatures)],
          ["Input shape", `${fmtShape(d.inputShape)}${isImage ? ` (height × width × ${d.inputShape[2] === 1 ? "1 channel" : `${d.inputShape[2]} channels`})` : ""}`],
          ["Task", isClassification ? `classification, ${d.numClasses} classes` : "regression"],
          ["Checksum", h("span", { class: "mono small", title: d.checksum }, `sha256 ${d.checksum.slice(0, 16)}…`)],
        ]),
      ),
      isClassification
        ? card(
            "Class balance",
            h("div", { "data-testid": "class-balance" }, barChart((d.classNames ?? []).map((name, k) => ({ label: name, value: d.classCounts?.[k] ?? 0 })), { color: colors.train })),
            balanceNote(d.classCounts ?? []),
          )
        : card("Labels", h("p", { class: "muted" }, "Regression targets: numbers, no classes.")),
    ),
    samplesCard(d, signal),
    statisticsCard(d),
  );
}

function balanceNote(counts: number[]): HTMLElement | null {
  if (counts.length < 2) return null;
  // Loops, not Math.max(...counts): spreading a large array overflows the stack.
  const max = counts.reduce((a, b) => Math.max(a, b), -Infinity);
  const min = counts.reduce((a, b) => Math.min(a, b), Infinity);
  if (min === 0) return h("p", { class: "notice warn small" }, "Some class has no sample at all.");
  const ratio = max / min;
  return h("p", { class: `muted small${ratio >= 3 ? " notice warn" : ""}` }, ratio < 1.5 ? "Balanced classes." : `The largest class has ${ratio.toFixed(1)}× the samples of the smallest${ratio >= 3 ? ": accuracy alone may mislead; look at the per-class recall." : "."}`);
}

function statisticsCard(d: Dataset): HTMLElement {
  const features = d.statistics?.features ?? [];
  const table = h("tbody");
  let shown = Math.min(STATS_SHOWN, features.length);
  const more = h("button", { class: "button small", type: "button" }, `Show all ${features.length}`);
  const render = () => {
    replace(
      table,
      features.slice(0, shown).map((f) =>
        h(
          "tr",
          null,
          h("td", { class: "mono small" }, f.name),
          h("td", { class: "num" }, fmtNumber(f.min)),
          h("td", { class: "num" }, fmtNumber(f.max)),
          h("td", { class: "num" }, fmtNumber(f.mean)),
          h("td", { class: "num" }, fmtNumber(f.std)),
          h("td", { class: "num" }, fmtInt(f.missing)),
        ),
      ),
    );
    more.hidden = shown >= features.length;
  };
  more.addEventListener("click", () => {
    shown = features.length;
    render();
  });
  render();
  return card(
    "Feature statistics",
    features.length === 0
      ? h("p", { class: "muted" }, "No statistics stored for this dataset.")
      : h(
          "div",
          null,
          h("div", { class: "scroll-y tall" }, h("table", { class: "table compact", "data-testid": "feature-stats" }, h("thead", null, h("tr", null, ["feature", "min", "max", "mean", "std", "missing"].map((c) => h("th", { scope: "col", class: c === "feature" ? null : "num" }, c)))), table)),
          h("div", { class: "form-actions" }, more),
        ),
  );
}

function samplesCard(d: Dataset, signal: AbortSignal): HTMLElement {
  const isImage = d.inputShape.length === 3;
  const pageSize = isImage ? IMAGE_PAGE : TABLE_PAGE;
  let offset = 0;
  const body = h("div", { class: "samples-body" }, loading());
  const label = h("span", { class: "muted small" });
  const prev = h("button", { class: "button small", type: "button" }, "← Previous");
  const next = h("button", { class: "button small", type: "button" }, "Next →");
  const name = (label: number) => (d.task === "classification" ? (d.classNames?.[label] ?? String(label)) : fmtNumber(label));

  // One scale for every image: the range of all stored values (0–1, 0–255 or standardized alike).
  const stats = d.statistics?.features ?? [];
  const lo = stats.length > 0 ? stats.reduce((a, f) => Math.min(a, f.min), Infinity) : 0;
  const hi = stats.length > 0 ? stats.reduce((a, f) => Math.max(a, f.max), -Infinity) : 1;

  async function load(): Promise<void> {
    replace(body, loading());
    const samples = await api<Samples>(`/v1/datasets/${d.id}/samples?offset=${offset}&limit=${pageSize}`, { signal });
    label.textContent = samples.features.length > 0 ? `samples ${offset + 1}–${offset + samples.features.length} of ${fmtInt(d.numSamples)}` : "";
    prev.disabled = offset === 0;
    next.disabled = offset + pageSize >= d.numSamples;
    replace(body, isImage ? imageGrid(samples, d.inputShape, lo, hi, name) : sampleTable(samples, d, name));
  }
  prev.addEventListener("click", () => {
    offset = Math.max(0, offset - pageSize);
    void load().catch((e) => replace(body, h("p", { class: "notice warn" }, (e as Error).message)));
  });
  next.addEventListener("click", () => {
    offset += pageSize;
    void load().catch((e) => replace(body, h("p", { class: "notice warn" }, (e as Error).message)));
  });
  void load().catch((e) => !signal.aborted && replace(body, h("p", { class: "notice warn" }, `Could not read samples: ${(e as Error).message}`)));
  return card(isImage ? "Sample images" : "Samples", h("div", { class: "samples-nav" }, prev, next, label), body);
}

function imageGrid(samples: Samples, shape: number[], lo: number, hi: number, name: (label: number) => string): HTMLElement {
  const [height, width, channels] = shape;
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  return h(
    "div",
    { class: "image-grid", "data-testid": "sample-images" },
    samples.features.map((pixels, i) => {
      const canvas = h("canvas", { width, height, class: "sample-image", role: "img", "aria-label": `sample labelled ${name(samples.labels[i])}` });
      const ctx = canvas.getContext("2d");
      if (ctx) {
        const image = ctx.createImageData(width, height);
        for (let p = 0; p < width * height; p++) {
          const value = (c: number) => Math.max(0, Math.min(255, Math.round((pixels[p * channels + c] - lo) * scale)));
          const r = value(0);
          const g = channels >= 3 ? value(1) : r;
          const b = channels >= 3 ? value(2) : r;
          image.data[p * 4] = r;
          image.data[p * 4 + 1] = g;
          image.data[p * 4 + 2] = b;
          image.data[p * 4 + 3] = 255;
        }
        ctx.putImageData(image, 0, 0);
      }
      return h("figure", { class: "sample" }, canvas, h("figcaption", null, name(samples.labels[i])));
    }),
  );
}

function sampleTable(samples: Samples, d: Dataset, name: (label: number) => string): HTMLElement {
  const columns = d.featureNames?.length === d.numFeatures ? d.featureNames : Array.from({ length: d.numFeatures }, (_, j) => `x${j}`);
  const shown = columns.slice(0, 12);
  return h(
    "div",
    { class: "scroll-x" },
    h(
      "table",
      { class: "table compact" },
      h("thead", null, h("tr", null, h("th", null, "label"), shown.map((c) => h("th", { class: "num" }, c)), columns.length > shown.length ? h("th", null, "…") : null)),
      h(
        "tbody",
        null,
        samples.features.map((row, i) =>
          h("tr", null, h("td", null, h("strong", null, name(samples.labels[i]))), shown.map((_, j) => h("td", { class: "num" }, fmtNumber(row[j]))), columns.length > shown.length ? h("td", { class: "muted" }, "…") : null),
        ),
      ),
    ),
  );
}
