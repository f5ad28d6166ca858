import { api, type Dataset } from "../api";
import { barChart, colors } from "../charts";
import { card, facts, loading, mono, pageHeader } from "../components";
import { h, replace } from "../dom";
import { fmtInt, fmtNumber, fmtShape, fmtTime } from "../format";
import type { ViewContext } from "../view";

interface Samples {
  features: number[][];
  labels: number[];
  /** Tables: the rows as uploaded. */
  rows?: Record<string, number | string | boolean | null>[];
}

type ColumnReport = NonNullable<Dataset["columns"]>[number];

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
          ["Kind", d.kind === "table" ? `table of ${fmtInt(d.columns?.length ?? 0)} columns, label ${d.labelColumn}` : "matrix of numbers"],
          ["Rows without a label", d.rowsWithoutLabel ? `${fmtInt(d.rowsWithoutLabel)} (left out)` : null],
          ["Features", d.kind === "table" ? `${fmtInt(d.numFeatures)} (as a job's pipeline encodes the columns by default)` : fmtInt(d.numFeatures)],
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
    d.report ? reportCard(d.report) : null,
    d.kind === "table" ? columnsCard(d) : null,
    samplesCard(d, signal),
    d.kind === "table" ? null : statisticsCard(d),
  );
}

/** The data report computed at upload: its warnings first, then the counts behind them. */
function reportCard(report: NonNullable<Dataset["report"]>): HTMLElement {
  const names = (items: { name: string }[]) => (items.length > 0 ? items.map((i) => i.name).join(", ") : null);
  return card(
    "Data report",
    h(
      "div",
      { "data-testid": "data-report" },
      report.warnings.length > 0 ? h("ul", { class: "notice warn small" }, report.warnings.map((w) => h("li", null, w))) : h("p", { class: "muted small" }, "Nothing to report: no duplicate rows, leaks or constant columns found."),
      facts([
        ["Duplicate rows", fmtInt(report.duplicateRows)],
        ["Same features, other label", report.conflictingDuplicates > 0 ? fmtInt(report.conflictingDuplicates) : null],
        ["Likely leaks", report.likelyLeaks.length > 0 ? report.likelyLeaks.map((l) => `${l.name} (${l.measure} ${l.value})`).join(", ") : "none"],
        ["Constant columns", report.constantColumns.length > 0 ? report.constantColumns.join(", ") : null],
        ["Near-constant columns", names(report.nearConstantColumns)],
        ["Outliers", report.outliers.length > 0 ? report.outliers.map((o) => `${o.name}: ${fmtInt(o.count)}`).join(", ") : null],
        ["Rows measured", report.sampledRows < report.rows ? `${fmtInt(report.sampledRows)} of ${fmtInt(report.rows)} (an even sample)` : null],
      ]),
    ),
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

/** A table's columns: each one's type (and why), missing values, and the statistics that matter for its type. */
function columnsCard(d: Dataset): HTMLElement {
  const columns = d.columns ?? [];
  return card(
    "Columns",
    h("p", { class: "muted small" }, "Types are inferred from the values (choose others with ?types= at upload, or training.features per job). Each job fits its pipeline on its own training rows."),
    h(
      "div",
      { class: "scroll-y tall" },
      h(
        "table",
        { class: "table compact", "data-testid": "columns" },
        h("thead", null, h("tr", null, ["column", "type", "missing", "summary", "why"].map((c) => h("th", { scope: "col", class: c === "missing" ? "num" : null }, c)))),
        h(
          "tbody",
          null,
          columns.map((c) =>
            h(
              "tr",
              { "data-column": c.name },
              h("td", { class: "mono small" }, c.name, c.label ? h("span", { class: "badge small", title: "the label column" }, " label") : null),
              h("td", null, h("span", { class: `type type-${c.type}` }, c.type)),
              h(
                "td",
                { class: "num" },
                c.missing > 0 ? `${fmtInt(c.missing)} (${((100 * c.missing) / Math.max(1, c.count + c.missing)).toFixed(1)}%)` : "0",
                c.missingAs ? h("div", { class: "muted small", title: "cells that held a missing marker (see the dataset's missingMarkers; ?missing= at upload chooses them)" }, missingAsText(c.missingAs)) : null,
              ),
              h("td", { class: "small" }, columnSummary(c)),
              h("td", { class: "muted small" }, c.reason),
            ),
          ),
        ),
      ),
    ),
  );
}

/** `as "None" (8,939)`: the missing markers a column met, commonest first. */
function missingAsText(missingAs: Record<string, number>): string {
  return `as ${Object.entries(missingAs).sort((a, b) => b[1] - a[1]).map(([text, count]) => `${JSON.stringify(text)} (${fmtInt(count)})`).join(", ")}`;
}

function columnSummary(c: ColumnReport): string {
  const stats = c.stats;
  if (stats === null) return "–";
  if ("quantiles" in stats) return `${fmtNumber(stats.min)} … ${fmtNumber(stats.max)}, mean ${fmtNumber(stats.mean)}, median ${fmtNumber(stats.quantiles.p50)}`;
  if ("top" in stats) return `${fmtInt(stats.distinct)} values: ${stats.top.slice(0, 4).map((t) => `${t.value} (${fmtInt(t.count)})`).join(", ")}${stats.top.length > 4 ? ", …" : ""}`;
  if ("meanWords" in stats) return `text, ${fmtNumber(stats.meanWords)} words on average${stats.distinctCapped ? ", many distinct" : `, ${fmtInt(stats.distinct)} distinct`}`;
  return `${stats.min} … ${stats.max}`;
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
    if (samples.rows) label.textContent = samples.rows.length > 0 ? `rows ${offset + 1}–${offset + samples.rows.length}` : "";
    replace(body, samples.rows ? rowsTable(samples.rows, d) : isImage ? imageGrid(samples, d.inputShape, lo, hi, name) : sampleTable(samples, d, name));
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

/** A table's rows as uploaded, the label first; missing cells shown as such. */
function rowsTable(rows: NonNullable<Samples["rows"]>, d: Dataset): HTMLElement {
  const names = (d.columns ?? []).map((c) => c.name);
  const ordered = [d.labelColumn ?? "", ...names.filter((name) => name !== d.labelColumn)].filter(Boolean).slice(0, 12);
  const cell = (value: number | string | boolean | null | undefined) => (value === null || value === undefined ? h("span", { class: "muted" }, "missing") : typeof value === "number" ? fmtNumber(value) : String(value));
  return h(
    "div",
    { class: "scroll-x" },
    h(
      "table",
      { class: "table compact", "data-testid": "table-rows" },
      h("thead", null, h("tr", null, ordered.map((name) => h("th", null, name)), names.length > ordered.length ? h("th", null, "…") : null)),
      h("tbody", null, rows.map((row) => h("tr", null, ordered.map((name, j) => h("td", j === 0 ? null : { class: "small" }, j === 0 ? h("strong", null, cell(row[name])) : cell(row[name]))), names.length > ordered.length ? h("td", { class: "muted" }, "…") : null))),
    ),
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
