import "./style.css";
import { getKey, setKey } from "./api";
import { h, replace } from "./dom";
import { showError, type ViewContext } from "./view";
import { datasetView } from "./views/dataset";
import { datasetsView } from "./views/datasets";
import { jobView } from "./views/job";
import { jobsView } from "./views/jobs";
import { modelView } from "./views/model";
import { modelsView } from "./views/models";
import { compareView } from "./views/compare";
import { registryView } from "./views/registry";
import { sweepView } from "./views/sweep";
import { sweepsView } from "./views/sweeps";

type View = (context: ViewContext) => void | Promise<void>;

const routes: { pattern: RegExp; names: string[]; view: View; nav: string }[] = [
  { pattern: /^\/?$/, names: [], view: jobsView, nav: "jobs" },
  { pattern: /^\/jobs\/?$/, names: [], view: jobsView, nav: "jobs" },
  { pattern: /^\/jobs\/([^/]+)$/, names: ["id"], view: jobView, nav: "jobs" },
  { pattern: /^\/datasets\/?$/, names: [], view: datasetsView, nav: "datasets" },
  { pattern: /^\/datasets\/([^/]+)$/, names: ["id"], view: datasetView, nav: "datasets" },
  { pattern: /^\/models\/?$/, names: [], view: modelsView, nav: "models" },
  { pattern: /^\/models\/([^/]+)$/, names: ["id"], view: modelView, nav: "models" },
  { pattern: /^\/compare\/?$/, names: [], view: compareView, nav: "jobs" },
  { pattern: /^\/registry\/?$/, names: [], view: registryView, nav: "registry" },
  { pattern: /^\/sweeps\/?$/, names: [], view: sweepsView, nav: "sweeps" },
  { pattern: /^\/sweeps\/([^/]+)$/, names: ["id"], view: sweepView, nav: "sweeps" },
];

const app = document.getElementById("app")!;
let current: AbortController | null = null;
let askingForKey = false;

function render(): void {
  current?.abort();
  if (askingForKey) return;
  const controller = new AbortController();
  current = controller;
  const [path, search = ""] = location.hash.replace(/^#/, "").split("?");
  const route = routes.find((r) => r.pattern.test(path));
  for (const link of document.querySelectorAll<HTMLAnchorElement>("[data-nav]")) {
    link.classList.toggle("active", link.dataset.nav === route?.nav);
  }
  app.replaceChildren();
  if (!route) {
    app.append(h("div", { class: "card empty-state" }, h("h2", null, "Nothing here"), h("p", null, "This page does not exist. "), h("a", { href: "#/jobs" }, "Go to the jobs")));
    return;
  }
  const match = route.pattern.exec(path)!;
  const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
  Promise.resolve(route.view({ root: app, params, query: new URLSearchParams(search), signal: controller.signal })).catch((error) => {
    if (controller.signal.aborted) return;
    showError(app, error);
  });
}

function renderKeyStatus(): void {
  const status = document.getElementById("key-status")!;
  const key = getKey();
  if (!key) {
    replace(status, h("button", { class: "link-button", type: "button", onclick: () => askForKey() }, "Set API key"));
    return;
  }
  replace(
    status,
    h("span", { class: "key-chip", title: "Your API key is kept in this browser (localStorage)" }, `key …${key.slice(-4)}`),
    h("button", { class: "link-button", type: "button", onclick: () => askForKey() }, "Change"),
    h("button", { class: "link-button", type: "button", onclick: () => (setKey(null), askForKey()) }, "Sign out"),
  );
}

function askForKey(message?: string): void {
  current?.abort();
  askingForKey = true;
  const input = h("input", { id: "api-key", name: "api-key", type: "password", autocomplete: "off", spellcheck: "false", placeholder: "dsk_…", required: true });
  const form = h(
    "form",
    {
      class: "card key-card",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const value = input.value.trim();
        if (!value) return;
        askingForKey = false;
        setKey(value);
        render();
      },
    },
    h("h1", null, "Connect to descent"),
    h("p", { class: "lead" }, "Paste an API key of your project. The dashboard sends it with each request as a Bearer token and keeps it in this browser only."),
    message ? h("p", { class: "notice warn", role: "alert" }, message) : null,
    h("label", { for: "api-key" }, "API key"),
    input,
    h("div", { class: "form-actions" }, h("button", { class: "button primary", type: "submit" }, "Connect")),
    h(
      "details",
      { class: "hint" },
      h("summary", null, "No key yet?"),
      h("p", null, "Create a project and its first key on the server:"),
      h("pre", null, "npm run project:create -- my-project"),
      h("p", null, "The key is shown once; descent keeps only its hash."),
    ),
  );
  replace(app, form);
  input.focus();
}

window.addEventListener("descent:unauthorized", (event) => {
  const detail = (event as CustomEvent).detail as { detail?: string } | undefined;
  const hadKey = getKey() !== null;
  askForKey(hadKey ? `That key was refused: ${detail?.detail ?? "unknown or revoked"}.` : undefined);
});
window.addEventListener("descent:key-changed", renderKeyStatus);
window.addEventListener("hashchange", () => {
  askingForKey = false;
  render();
});

renderKeyStatus();
render();
