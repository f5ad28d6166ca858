import { api, download, getKey, post, type Dataset, type LayerSpec, type Model, type Prediction } from "../api";
import { confusionHeatmap } from "../charts";
import { card, copyButton, facts, labelled, loading, mono, pageHeader } from "../components";
import { h, replace } from "../dom";
import { modelGraph } from "../model-graph";
import { fmtInt, fmtNumber, fmtPercent, fmtShape, fmtTime } from "../format";
import type { ViewContext } from "../view";

/** A trained model: layers, metrics, confusion matrix, lineage, downloads, and a predict form. */
export async function modelView({ root, params, signal }: ViewContext): Promise<void> {
  replace(root, loading());
  const model = await api<Model>(`/v1/models/${encodeURIComponent(params.id)}`, { signal });
  const dataset = await api<Dataset>(`/v1/datasets/${model.datasetId}`, { signal }).catch(() => null);
  const classNames = model.classNames.length > 0 ? model.classNames : (dataset?.classNames ?? []);
  const m = model.metrics;

  const downloadWeights = h("button", { class: "button", type: "button", "data-action": "download-weights" }, "Download weights");
  downloadWeights.addEventListener("click", () => void download(`/v1/models/${model.id}/weights`, `${model.id}.weights.bin`).catch((e) => alert(`Download failed: ${(e as Error).message}`)));

  replace(
    root,
    pageHeader(labelled(model), {
      crumbs: [["Models", "#/models"]],
      actions: [downloadWeights, h("a", { class: "button", href: `#/jobs/${model.sourceJobId}` }, "Training job")],
      sub: h("span", null, `Trained ${fmtTime(model.createdAt)} from `, h("a", { href: `#/datasets/${model.datasetId}` }, dataset ? `${dataset.name} (${model.datasetId})` : model.datasetId)),
    }),
    metricsCard(model),
    h(
      "div",
      { class: "two-col" },
      card(
        "Model",
        facts([
          ["Input shape", fmtShape(model.inputShape)],
          ["Outputs", classNames.length > 0 ? `${model.outputSize} (${classNames.length} classes)` : String(model.outputSize)],
          ["Parameters", fmtInt(model.parameterCount)],
          ["Source job", h("a", { href: `#/jobs/${model.sourceJobId}` }, model.sourceJobId)],
          ["Dataset", h("a", { href: `#/datasets/${model.datasetId}` }, model.datasetId)],
          ["Lineage", lineage(model)],
          ["Augmentation", model.metrics.augmentation?.length ? model.metrics.augmentation.join(", ") : null],
        ]),
      ),
      exportCard(model),
    ),
    m.test ? testCard(m.test) : null,
    model.pipeline ? pipelineCard(model.pipeline) : null,
    layersCard(model),
    graphCard(model),
    m.classMetrics ? classMetricsCard(model, classNames) : null,
    model.pipeline ? rowsPredictCard(model, model.pipeline, signal) : predictCard(model, dataset, classNames, signal),
  );
}

function metricsCard(model: Model): HTMLElement {
  const m = model.metrics;
  const stat = (label: string, value: string, hint?: string) => h("div", { class: "stat" }, h("div", { class: "stat-value" }, value), h("div", { class: "stat-label" }, label), hint ? h("div", { class: "stat-hint" }, hint) : null);
  const stopped = m.stopped === "earlyStopping" ? "stopped early" : m.stopped === "cancelled" ? "cancelled" : "all epochs";
  return h(
    "section",
    { class: "card stats", "data-testid": "final-metrics" },
    m.valAccuracy !== undefined ? stat("validation accuracy", fmtPercent(m.valAccuracy)) : null,
    m.valLoss !== undefined ? stat("validation loss", fmtNumber(m.valLoss)) : null,
    m.accuracy !== undefined ? stat("training accuracy", fmtPercent(m.accuracy)) : null,
    stat("training loss", fmtNumber(m.loss)),
    stat("kept epoch", `${m.keptEpoch} of ${m.epochs}`, stopped),
    stat("parameters", fmtInt(model.parameterCount)),
  );
}

function lineage(model: Model): Node | string | null {
  const info = model.lineage;
  if (!info) return "trained from scratch";
  const base = info.baseModelId;
  const details = [`kept ${info.keptLayers} layer${info.keptLayers === 1 ? "" : "s"}`, `dropped ${info.droppedLayers}`, `added ${info.addedLayers}`, `${info.frozenLayers} frozen`];
  return h("span", { "data-testid": "lineage" }, "fine-tuned from ", h("a", { href: `#/models/${base}` }, base), details.length > 0 ? h("div", { class: "muted small" }, details.join(" · ")) : null);
}

function layersCard(model: Model): HTMLElement {
  const specLayers = model.spec.layers;
  const isFrozen = (index: number) => model.layers[index]?.frozen ?? index < (model.spec.frozenLayers ?? 0);
  const anyFrozen = model.layers.some((_, i) => isFrozen(i));
  const details = (layer: LayerSpec | undefined) => {
    if (!layer) return "";
    return Object.entries(layer)
      .filter(([k]) => k !== "type" && k !== "trainable")
      .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`)
      .join(", ");
  };
  return card(
    "Layers",
    h(
      "table",
      { class: "table layers-table" },
      h("thead", null, h("tr", null, ["#", "type", "settings", "output shape", "parameters", "trainable"].map((c) => h("th", { scope: "col", class: c === "parameters" ? "num" : null }, c)))),
      h(
        "tbody",
        null,
        h("tr", { class: "input-row" }, h("td", null, ""), h("td", null, "input"), h("td", null, ""), h("td", null, fmtShape(model.inputShape)), h("td", { class: "num" }, "–"), h("td", null, "")),
        model.layers.map((layer, i) =>
          h(
            "tr",
            { class: isFrozen(i) ? "frozen" : null },
            h("td", null, String(layer.index)),
            h("td", null, h("strong", null, layer.type)),
            h("td", { class: "muted small settings" }, details(specLayers[i])),
            h("td", null, fmtShape(layer.outputShape)),
            h("td", { class: "num" }, fmtInt(layer.parameterCount)),
            h("td", null, layer.parameterCount === 0 ? h("span", { class: "muted" }, "–") : isFrozen(i) ? h("span", { class: "pill frozen-pill" }, "frozen") : h("span", { class: "pill" }, "trainable")),
          ),
        ),
      ),
      h("tfoot", null, h("tr", null, h("td", null, ""), h("td", { colspan: 3 }, "Total"), h("td", { class: "num" }, fmtInt(model.parameterCount)), h("td", null, anyFrozen ? "some frozen" : ""))),
    ),
  );
}

/** Layers as boxes, arrows for the outputs they take: branches and merges at a glance. */
function graphCard(model: Model): HTMLElement {
  const frozen = (index: number) => model.layers[index]?.frozen ?? index < (model.spec.frozenLayers ?? 0);
  const merges = model.layers.filter((layer) => layer.inputs.length > 1).length;
  const caption = merges > 0 ? `${merges} merge${merges === 1 ? "" : "s"} of branches` : "a stack: each layer takes the one before";
  return card("Graph", h("p", { class: "muted small" }, caption), h("div", { class: "model-graph-host", "data-testid": "model-graph" }, modelGraph(model.inputShape, model.layers, frozen)));
}

function classMetricsCard(model: Model, classNames: string[]): HTMLElement {
  const cm = model.metrics.classMetrics!;
  const name = (k: number) => classNames[k] ?? String(k);
  return card(
    cm.confusionMatrix ? `Confusion matrix (${cm.on} set)` : `Per-class precision and recall (${cm.on} set)`,
    h(
      "p",
      { class: "muted small" },
      cm.confusionMatrix
        ? "Rows: the true class; columns: the predicted class. The diagonal (blue) is correct; shading is the share of each true class."
        : "No confusion matrix above 100 classes.",
    ),
    h(
      "div",
      { class: "confusion-layout" },
      cm.confusionMatrix ? confusionHeatmap(cm.confusionMatrix, classNames) : null,
      h(
        "table",
        { class: "table compact per-class" },
        h("thead", null, h("tr", null, h("th", null, "class"), h("th", { class: "num" }, "precision"), h("th", { class: "num" }, "recall"))),
        h(
          "tbody",
          null,
          cm.precision.map((p, k) => h("tr", null, h("td", null, name(k)), h("td", { class: "num" }, fmtPercent(p)), h("td", { class: "num" }, fmtPercent(cm.recall[k])))),
        ),
      ),
    ),
  );
}

function exportCard(model: Model): HTMLElement {
  const tfjsPath = `/v1/models/${model.id}/tfjs/model.json`;
  const url = `${location.origin}${tfjsPath}`;
  const key = getKey();
  const snippet = key
    ? `const model = await tf.loadLayersModel("${url}", {\n  requestInit: { headers: { Authorization: "Bearer <your key>" } },\n});`
    : `const model = await tf.loadLayersModel("${url}");`;
  const tfjsButton = h("button", { class: "button", type: "button", "data-action": "download-tfjs" }, "Download model.json");
  tfjsButton.addEventListener("click", () => void download(tfjsPath, `${model.id}.model.json`).catch((e) => alert(`Download failed: ${(e as Error).message}`)));
  return card(
    "Export",
    h("p", { class: "muted small" }, "Weights: little-endian float32, laid out as the model's weight manifest says. TensorFlow.js: the layers format, loadable as is."),
    h("div", { class: "export-row" }, h("a", { class: "link", href: `/v1/models/${model.id}/weights`, "data-testid": "weights-link", onclick: (e: Event) => (e.preventDefault(), void download(`/v1/models/${model.id}/weights`, `${model.id}.weights.bin`)) }, "weights.bin"), mono(`/v1/models/${model.id}/weights`)),
    h("div", { class: "export-row" }, h("a", { class: "link", href: tfjsPath, "data-testid": "tfjs-link", onclick: (e: Event) => (e.preventDefault(), void download(tfjsPath, `${model.id}.model.json`)) }, "TensorFlow.js model.json"), mono(tfjsPath)),
    model.pipeline
      ? h("div", { class: "export-row" }, h("a", { class: "link", href: `/v1/models/${model.id}/tfjs/preprocessing.json`, onclick: (e: Event) => (e.preventDefault(), void download(`/v1/models/${model.id}/tfjs/preprocessing.json`, `${model.id}.preprocessing.json`)) }, "preprocessing.json"), h("span", { class: "muted small" }, "the feature pipeline: raw rows to model.json's inputs"))
      : null,
    h("pre", { class: "snippet" }, snippet),
    h("div", { class: "form-actions" }, copyButton(() => snippet, "Copy snippet"), tfjsButton),
  );
}

type Pipeline = NonNullable<Model["pipeline"]>;
type TestMetrics = NonNullable<Model["metrics"]["test"]>;

/** The model's metrics on the job's test rows, held out of training and validation. */
function testCard(test: TestMetrics): HTMLElement {
  const stat = (label: string, value: string) => h("div", { class: "stat" }, h("div", { class: "stat-value" }, value), h("div", { class: "stat-label" }, label));
  const stats =
    test.task === "classification"
      ? [stat("test accuracy", fmtPercent(test.accuracy)), stat("macro F1", fmtNumber(test.macroF1, 3)), stat("log loss", fmtNumber(test.logLoss, 3)), test.rocAuc !== null ? stat("ROC AUC", fmtNumber(test.rocAuc, 3)) : null]
      : [stat("test MAE", fmtNumber(test.mae, 4)), stat("test RMSE", fmtNumber(test.rmse, 4)), stat("test R²", fmtNumber(test.r2, 3))];
  return card(`On ${fmtInt(test.samples)} test rows`, h("div", { class: "stats", "data-testid": "test-metrics" }, stats));
}

/** How raw rows become the model's inputs: each column's encoding, fitted on the training rows. */
function pipelineCard(pipeline: Pipeline): HTMLElement {
  const encoding = (f: Pipeline["features"][number]): string => {
    const parts: string[] = [];
    if (f.type === "number" && f.scaling) parts.push(f.scaling.kind === "standard" ? `standardized (mean ${fmtNumber(f.scaling.mean ?? 0)}, std ${fmtNumber(f.scaling.std ?? 0)})` : f.scaling.kind === "minmax" ? `min-max (${fmtNumber(f.scaling.min ?? 0)} … ${fmtNumber(f.scaling.max ?? 0)})` : "as is");
    if (f.type === "category" && f.encoding === "ids") parts.push(`ids for an embedding: 1 to ${fmtInt(f.categories?.length ?? 0)} (${(f.categories ?? []).slice(0, 3).join(", ")}${(f.categories?.length ?? 0) > 3 ? ", …" : ""}), 0 for any other value`);
    else if (f.type === "category") parts.push(`one-hot: ${(f.categories ?? []).slice(0, 6).join(", ")}${(f.categories?.length ?? 0) > 6 ? ", …" : ""}${f.other ? " + (other)" : ""}`);
    if (f.type === "binary") parts.push(`1 = ${f.positive}, 0 = ${f.negative}`);
    if (f.type === "date" || f.type === "datetime") parts.push("year, and month, weekday, day of year as sine/cosine");
    if (f.type === "text") parts.push(`hashed bag of words, ${f.buckets} buckets`);
    return parts.join("; ");
  };
  const missing = (f: Pipeline["features"][number]) => (f.missing.seen === 0 && f.missing.strategy !== "dropRow" && f.missing.strategy !== "none" ? "none in training" : `${f.missing.strategy}${f.missing.fill !== null ? ` (${typeof f.missing.fill === "number" ? fmtNumber(f.missing.fill) : f.missing.fill})` : ""}${f.missing.indicator ? " + indicator" : ""}, ${fmtInt(f.missing.seen)} seen`);
  const dropped = pipeline.training.dropped;
  const droppedValues = Object.entries(dropped.missingValue).map(([column, count]) => `${fmtInt(count)} for ${column}`);
  return card(
    "Feature pipeline",
    h(
      "p",
      { class: "muted small" },
      `${fmtInt(pipeline.features.length)} columns into ${fmtInt(pipeline.width)} inputs, fitted on ${fmtInt(pipeline.training.kept)} of ${fmtInt(pipeline.training.rows)} training rows`,
      dropped.missingLabel || droppedValues.length ? ` (left out: ${[dropped.missingLabel ? `${fmtInt(dropped.missingLabel)} without a label` : null, ...droppedValues].filter(Boolean).join(", ")})` : "",
      `. Label: ${pipeline.label.column} (${pipeline.label.task}).`,
    ),
    h(
      "div",
      { class: "scroll-y tall" },
      h(
        "table",
        { class: "table compact", "data-testid": "pipeline" },
        h("thead", null, h("tr", null, ["column", "type", "inputs", "encoding", "missing values"].map((c) => h("th", { scope: "col", class: c === "inputs" ? "num" : null }, c)))),
        h("tbody", null, pipeline.features.map((f) => h("tr", null, h("td", { class: "mono small" }, f.column), h("td", null, f.type), h("td", { class: "num" }, `${f.offset}–${f.offset + f.width - 1}`), h("td", { class: "small" }, encoding(f)), h("td", { class: "small" }, missing(f))))),
      ),
    ),
    pipeline.ignored.length > 0 ? h("p", { class: "muted small" }, `Not used: ${pipeline.ignored.map((i) => `${i.column} (${i.reason})`).join(", ")}.`) : null,
  );
}

/** Try a model trained on a table on raw rows, prefilled with rows of its dataset (without their label). */
function rowsPredictCard(model: Model, pipeline: Pipeline, signal: AbortSignal): HTMLElement {
  const textarea = h("textarea", { id: "predict-rows", rows: 6, spellcheck: "false", class: "mono" });
  textarea.placeholder = '[{"column": value, ...}, ...]';
  const result = h("div", { class: "predict-result", "aria-live": "polite" });
  let truth: unknown[] | null = null;
  void api<{ rows?: Record<string, unknown>[] }>(`/v1/datasets/${model.datasetId}/samples?offset=0&limit=3`, { signal })
    .then((samples) => {
      if (!samples.rows) return;
      truth = samples.rows.map((row) => row[pipeline.label.column]);
      textarea.value = JSON.stringify(samples.rows.map(({ [pipeline.label.column]: _label, ...row }) => row), null, 1);
    })
    .catch(() => undefined);
  textarea.addEventListener("input", () => (truth = null));
  const form = h(
    "form",
    {
      class: "predict-form",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        let rows: unknown;
        try {
          rows = JSON.parse(textarea.value);
        } catch {
          replace(result, h("p", { class: "notice warn" }, "The rows must be JSON: an array of {column: value} objects."));
          return;
        }
        if (!Array.isArray(rows)) rows = [rows];
        replace(result, loading("Predicting…"));
        try {
          const prediction = await post<Prediction>(`/v1/models/${model.id}/predict`, { rows }, signal);
          replace(result, rowsPredictionTable(prediction, truth));
        } catch (error) {
          const problem = (error as { problem?: { errors?: { path: string; message: string }[] } }).problem;
          replace(result, h("div", { class: "notice warn", role: "alert" }, (error as Error).message, problem?.errors ? h("ul", null, problem.errors.slice(0, 5).map((e) => h("li", null, `${e.path}: ${e.message}`))) : null));
        }
      },
    },
    h("label", { for: "predict-rows" }, "Rows: {column: value} as in the table (missing columns are filled in as in training)"),
    textarea,
    h("div", { class: "form-actions" }, h("button", { class: "button primary", type: "submit" }, "Predict")),
  );
  return card("Try it", form, result);
}

function rowsPredictionTable(prediction: Prediction, truth: unknown[] | null): HTMLElement {
  const classifier = prediction.classNames !== undefined;
  return h(
    "table",
    { class: "table compact", "data-testid": "prediction" },
    h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, "prediction"), classifier ? h("th", null, "probability") : null, truth ? h("th", null, "label in dataset") : null)),
    h(
      "tbody",
      null,
      prediction.outputs.map((_, i) => {
        const name = prediction.classNames?.[i];
        const value = classifier ? name : fmtNumber(prediction.values?.[i] ?? NaN, 4);
        const probability = name !== undefined ? prediction.probabilities?.[i]?.[name] : undefined;
        const actual = truth?.[i];
        return h(
          "tr",
          null,
          h("td", null, String(i + 1)),
          h("td", null, h("strong", null, value ?? "")),
          classifier ? h("td", null, fmtPercent(probability ?? null)) : null,
          truth ? h("td", null, actual === null || actual === undefined ? "–" : `${String(actual)}${classifier ? (actual === name ? " ✓" : " ✗") : ""}`) : null,
        );
      }),
    ),
  );
}

function predictCard(model: Model, dataset: Dataset | null, classNames: string[], signal: AbortSignal): HTMLElement {
  const size = model.inputShape.reduce((a, b) => a * b, 1);
  const textarea = h("textarea", { id: "predict-inputs", rows: 4, spellcheck: "false", class: "mono" });
  textarea.value = size <= 32 ? JSON.stringify([new Array(size).fill(0)]) : "";
  textarea.placeholder = `[[${size} numbers, one row per sample]]`;
  const result = h("div", { class: "predict-result", "aria-live": "polite" });
  const fill = h("button", { class: "button", type: "button", disabled: !dataset }, "Fill with dataset samples");
  const fillWithSamples = async () => {
    try {
      const samples = await api<{ features: number[][]; labels: number[] }>(`/v1/datasets/${model.datasetId}/samples?offset=0&limit=3`, { signal });
      textarea.value = JSON.stringify(samples.features);
      textarea.dataset.labels = JSON.stringify(samples.labels);
    } catch (error) {
      replace(result, h("p", { class: "notice warn" }, `Could not read samples: ${(error as Error).message}`));
    }
  };
  fill.addEventListener("click", () => void fillWithSamples());
  if (dataset) void fillWithSamples();
  textarea.addEventListener("input", () => delete textarea.dataset.labels);

  const form = h(
    "form",
    {
      class: "predict-form",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        let inputs: unknown;
        try {
          inputs = JSON.parse(textarea.value);
        } catch {
          replace(result, h("p", { class: "notice warn" }, "The inputs must be JSON: an array of samples, each an array of numbers."));
          return;
        }
        if (Array.isArray(inputs) && inputs.length > 0 && typeof inputs[0] === "number") inputs = [inputs];
        replace(result, loading("Predicting…"));
        try {
          const prediction = await post<Prediction>(`/v1/models/${model.id}/predict`, { inputs }, signal);
          const labels = textarea.dataset.labels ? (JSON.parse(textarea.dataset.labels) as number[]) : null;
          replace(result, predictionTable(prediction, classNames, labels));
        } catch (error) {
          const problem = (error as { problem?: { errors?: { path: string; message: string }[] } }).problem;
          replace(
            result,
            h("div", { class: "notice warn", role: "alert" }, (error as Error).message, problem?.errors ? h("ul", null, problem.errors.slice(0, 5).map((e) => h("li", null, `${e.path}: ${e.message}`))) : null),
          );
        }
      },
    },
    h("label", { for: "predict-inputs" }, `Inputs: one array of ${size} numbers per sample${model.inputShape.length > 1 ? ` (or nested as ${fmtShape(model.inputShape)})` : ""}`),
    textarea,
    h("div", { class: "form-actions" }, h("button", { class: "button primary", type: "submit" }, "Predict"), fill),
  );
  return card("Try it", form, result);
}

function predictionTable(prediction: Prediction, classNames: string[], labels: number[] | null): HTMLElement {
  const classifier = prediction.classes !== undefined;
  return h(
    "table",
    { class: "table compact", "data-testid": "prediction" },
    h("thead", null, h("tr", null, h("th", null, "#"), classifier ? h("th", null, "predicted") : null, classifier ? h("th", null, "confidence") : null, labels ? h("th", null, "label in dataset") : null, h("th", null, "outputs"))),
    h(
      "tbody",
      null,
      prediction.outputs.map((output, i) => {
        const cls = prediction.classes?.[i];
        const name = prediction.classNames?.[i] ?? (cls !== undefined ? (classNames[cls] ?? String(cls)) : "");
        const confidence = cls !== undefined ? (output.length === 1 ? (cls === 1 ? output[0] : 1 - output[0]) : output[cls]) : null;
        const truth = labels?.[i];
        return h(
          "tr",
          null,
          h("td", null, String(i + 1)),
          classifier ? h("td", null, h("strong", null, name)) : null,
          classifier ? h("td", null, fmtPercent(confidence)) : null,
          labels ? h("td", null, truth === undefined ? "–" : classNames.length > 0 ? `${classNames[truth] ?? truth}${cls === truth ? " ✓" : " ✗"}` : fmtNumber(truth)) : null,
          h("td", { class: "mono small outputs" }, output.length > 12 ? `[${output.slice(0, 12).map((v) => fmtNumber(v, 3)).join(", ")}, …]` : `[${output.map((v) => fmtNumber(v, 3)).join(", ")}]`),
        );
      }),
    ),
  );
}
