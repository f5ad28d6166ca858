import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startCluster, type Cluster } from "../helpers/cluster.js";
import { waitFor } from "../helpers/processes.js";
import { apiCall, ensureDashboard, haveChromium, launchBrowser, screenshotPath, shapesDataset } from "./helpers.js";

// The dashboard in a real browser (Debian's Chromium, headless) against the
// API and a worker as processes, with API keys on: what a person sees.

const adminKey = "test-admin-key-0123456789abcdef";
let cluster: Cluster;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let key: string;
let datasetId: string;
let baseModelId: string;

const api = (method: string, path: string, body?: unknown) => apiCall(cluster.base, key, method, path, body);

function imageJob(epochs: number, extra: Record<string, unknown> = {}) {
  return {
    datasetId,
    model: {
      inputShape: [12, 12, 1],
      layers: [
        { type: "conv2d", filters: 6, kernelSize: 3, padding: "same", activation: "relu" },
        { type: "maxPool2d", poolSize: 2 },
        { type: "flatten" },
        { type: "dense", units: 24, activation: "relu" },
        { type: "dense", units: 3, activation: "softmax" },
      ],
    },
    training: { epochs, batchSize: 16, seed: 3, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.003 }, validationSplit: 0.2, ...extra },
  };
}

async function submit(body: unknown): Promise<string> {
  const res = await api("POST", "/v1/jobs", body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id;
}

async function jobStatus(id: string): Promise<string> {
  return (await api("GET", `/v1/jobs/${id}`)).body.status;
}

describe.skipIf(!haveChromium)("dashboard in a browser", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    await ensureDashboard();
    cluster = await startCluster({ workers: 1, env: { DESCENT_AUTH: "on", DESCENT_ADMIN_KEY: adminKey } });
    const created = await apiCall(cluster.base, adminKey, "POST", "/v1/projects", { name: "browser" });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    key = created.body.apiKey;
    const dataset = await api("POST", "/v1/datasets", shapesDataset(1500));
    expect(dataset.status, JSON.stringify(dataset.body)).toBe(201);
    datasetId = dataset.body.id;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
  });

  it("asks for an API key first, keeps it, and lists jobs live, newest first, filtered by status", async () => {
    await page.goto(`${cluster.base}/`);
    await page.getByRole("heading", { name: "Connect to descent" }).waitFor();
    await page.screenshot({ path: screenshotPath("01-api-key.png") });

    await page.getByLabel("API key").fill("dsk_not_a_real_key");
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByText("That key was refused").waitFor();

    await page.getByLabel("API key").fill(key);
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByRole("heading", { name: "No training jobs yet" }).waitFor();
    await page.screenshot({ path: screenshotPath("01b-no-jobs-yet.png") });
    expect(await page.evaluate(() => (globalThis as any).localStorage.getItem("descent.apiKey"))).toBe(key);

    // A job submitted through the API appears without a reload, then a newer one above it.
    const first = await submit(imageJob(3));
    await page.locator(`tr[data-job-id="${first}"]`).waitFor({ timeout: 10_000 });
    const second = await submit({ ...imageJob(3), name: "shapes, 3 epochs", tags: ["shapes", "quick"] });
    await page.locator(`tr[data-job-id="${second}"]`).waitFor({ timeout: 10_000 });
    // Named jobs show their name (the id under it) and their tags.
    const named = page.locator(`tr[data-job-id="${second}"]`);
    expect(await named.locator("a.strong-link").innerText()).toBe("shapes, 3 epochs");
    expect(await named.locator(".labelled-id").innerText()).toBe(second);
    expect(await named.locator(".tag").allInnerTexts()).toEqual(["shapes", "quick"]);
    expect(await page.locator(`tr[data-job-id="${first}"] a.strong-link`).innerText()).toBe(first);
    const order = await page.locator("tr[data-job-id]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-job-id")));
    expect(order.indexOf(second)).toBeLessThan(order.indexOf(first));

    // Their status changes without a reload.
    await page.locator(`tr[data-job-id="${second}"][data-status="succeeded"]`).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: screenshotPath("02-jobs.png") });

    await page.getByRole("link", { name: "succeeded" }).click();
    await page.waitForURL(/status=succeeded/);
    await page.locator(`tr[data-job-id="${second}"]`).waitFor();
    const statuses = await page.locator("tr[data-job-id]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-status")));
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(["succeeded"]));
    await page.reload();
    await page.locator("tr[data-job-id]").first().waitFor(); // the key survived the reload
  });

  it("shows a job's curves gaining points as epochs end, then its kept epoch and model", async () => {
    // Jobs start at once and this one trains in about a second: keep it queued behind a long one
    // while its page opens, so that the page is there from its first epoch on.
    const blocker = await submit(imageJob(400));
    await waitFor(async () => ((await jobStatus(blocker)) === "running" ? true : undefined), { what: "the blocking job to run", timeoutMs: 60_000 });
    // Batches of 1: epochs long enough (a few hundred ms) that the page, which draws at most once a frame, draws between them even on a loaded machine;
    // patience as long as the run, so that it trains every epoch and still reports the kept one.
    const id = await submit(imageJob(12, { batchSize: 1, earlyStopping: { monitor: "valLoss", patience: 12, restoreBestWeights: true } }));
    await page.goto(`${cluster.base}/#/jobs/${id}`);
    const charts = page.locator(".charts");
    await charts.waitFor();
    const epochsShown = async () => Number(await charts.getAttribute("data-epochs"));
    // Every value the page shows, as it shows it (no polling that could miss the steps).
    await page.evaluate(() => {
      const seen: number[] = [];
      (globalThis as any).epochsSeen = seen;
      const record = () => seen.push(Number((globalThis as any).document.querySelector(".charts")?.getAttribute("data-epochs") ?? 0));
      new (globalThis as any).MutationObserver(record).observe((globalThis as any).document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-epochs"] });
    });
    expect(await epochsShown()).toBe(0);
    expect((await api("POST", `/v1/jobs/${blocker}/cancel`)).status).toBe(202);

    await waitFor(async () => ((await epochsShown()) >= 1 ? true : undefined), { what: "a first point on the curve", timeoutMs: 60_000 });
    if ((await jobStatus(id)) === "running") await page.screenshot({ path: screenshotPath("03-job-running.png") });

    await page.locator('a[data-action="open-model"]').waitFor({ timeout: 90_000 });
    const seen: number[] = await page.evaluate(() => (globalThis as any).epochsSeen);
    expect(new Set(seen.filter((epochs) => epochs > 0)).size, `the curve's point counts as shown: ${seen.join(", ")}`).toBeGreaterThan(1);
    const job = (await api("GET", `/v1/jobs/${id}`)).body;
    expect(job.status).toBe("succeeded");
    expect(await epochsShown()).toBe(job.epoch);
    await expect.poll(() => page.locator(".summary-card").innerText()).toMatch(/Kept epoch\s*\d+/);
    expect(await page.locator(".timeline li").count()).toBeGreaterThanOrEqual(3); // queued, running, succeeded
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath("04-job-succeeded.png"), fullPage: true });

    // The model page: layers, metrics, confusion matrix, predictions.
    await page.locator('a[data-action="open-model"]').click();
    await page.getByRole("heading", { name: "Layers" }).waitFor();
    expect(await page.locator(".layers-table tbody tr").count()).toBe(6); // input + 5 layers
    expect(await page.locator(".heatmap td").count()).toBe(9);
    await expect.poll(() => page.locator("#predict-inputs").inputValue(), { timeout: 10_000 }).toMatch(/^\[\[/);
    await page.getByRole("button", { name: "Predict" }).click();
    await page.locator('[data-testid="prediction"] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid="prediction"] tbody tr').count()).toBe(3);
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath("05-model.png"), fullPage: true });
    baseModelId = job.resultModelId;
  });

  it("shows a fine-tuned model's lineage and its frozen layers", async () => {
    const id = await submit({
      datasetId,
      model: { baseModelId, dropLayers: 1, addLayers: [{ type: "dense", units: 3, activation: "softmax" }], freeze: "base" },
      training: { epochs: 3, batchSize: 16, seed: 4, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.003 }, validationSplit: 0.2 },
    });
    await page.goto(`${cluster.base}/#/jobs/${id}`);
    await page.locator('a[data-action="open-model"]').click({ timeout: 60_000 });
    const lineage = page.locator('[data-testid="lineage"]');
    await lineage.waitFor();
    expect(await lineage.innerText()).toContain(baseModelId);
    expect(await page.locator(".layers-table .frozen-pill").count()).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath("05b-model-fine-tuned.png"), fullPage: true });
    await page.goto(`${cluster.base}/#/models`);
    await page.locator(`a[href="#/models/${baseModelId}"]`).waitFor();
    await page.screenshot({ path: screenshotPath("05c-models.png") });
  });

  it("pauses, resumes and cancels a running job from its page", async () => {
    const id = await submit(imageJob(400));
    await page.goto(`${cluster.base}/#/jobs/${id}`);
    await waitFor(async () => (Number(await page.locator(".charts").getAttribute("data-epochs")) >= 2 ? true : undefined), { what: "two epochs", timeoutMs: 60_000 });
    await page.locator('button[data-action="pause"]').click();
    await page.locator('.page-title-row .badge[data-status="paused"]').waitFor({ timeout: 15_000 });
    expect(await jobStatus(id)).toBe("paused");
    await page.locator('button[data-action="resume"]').waitFor();
    expect(await page.locator('button[data-action="pause"]').count()).toBe(0);
    // A change of its training while paused shows in its history, from the job's event stream.
    expect((await api("PATCH", `/v1/jobs/${id}`, { training: { optimizer: { learningRate: 0.001 } } })).status).toBe(200);
    await page.locator("li[data-change]").waitFor({ timeout: 15_000 });
    expect(await page.locator("li[data-change]").innerText()).toMatch(/learning rate 0\.003 → 0\.001/);
    await page.screenshot({ path: screenshotPath("06a-job-paused.png"), fullPage: true });
    await page.locator('button[data-action="resume"]').click();
    await page.locator('.page-title-row .badge[data-status="running"]').waitFor({ timeout: 15_000 });
    page.once("dialog", (dialog) => void dialog.accept());
    await page.locator('button[data-action="cancel"]').click();
    await page.locator('.page-title-row .badge[data-status="cancelled"]').waitFor({ timeout: 15_000 });
    expect(await jobStatus(id)).toBe("cancelled");
    expect(await page.locator('button[data-action="cancel"]').count()).toBe(0);
    await page.screenshot({ path: screenshotPath("06-job-cancelled.png"), fullPage: true });
  });

  it("shows why a job failed, with the loss curve alone for a regression", async () => {
    const regression = await api("POST", "/v1/datasets", { name: "diverges", features: [[100], [200], [300]], labels: [1000.5, 2000.5, 3000.5] });
    // Large inputs, a linear unit and a learning rate of 5: each step overshoots more, until float32 overflows.
    const id = await submit({
      datasetId: regression.body.id,
      model: { inputShape: [1], layers: [{ type: "dense", units: 1 }] },
      training: { epochs: 50, batchSize: 1, seed: 1, loss: "meanSquaredError", optimizer: { type: "sgd", learningRate: 5 } },
    });
    await page.goto(`${cluster.base}/#/jobs/${id}`);
    const error = page.locator('[data-testid="job-error"]');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.innerText()).toContain("NON_FINITE_LOSS");
    await page.locator('.page-title-row .badge[data-status="failed"]').waitFor();
    await page.screenshot({ path: screenshotPath("07-job-failed.png"), fullPage: true });
  });

  it("shows a dataset: shape, class balance, statistics, and its images drawn from the stored pixels", async () => {
    await page.goto(`${cluster.base}/#/datasets`);
    await page.locator(`a[href="#/datasets/${datasetId}"]`).click();
    await page.locator('[data-testid="sample-images"] canvas').first().waitFor();
    expect(await page.locator('[data-testid="sample-images"] canvas').count()).toBe(32);
    expect(await page.locator('[data-testid="class-balance"] .bar-row').count()).toBe(3);
    // The data report computed at upload.
    expect(await page.locator('[data-testid="data-report"]').innerText()).toMatch(/Duplicate rows/);
    expect(await page.locator('[data-testid="feature-stats"] tbody tr').count()).toBeGreaterThan(0);
    // A canvas really holds the picture: some bright pixels of the shape on a dark background.
    const bright = await page.locator('[data-testid="sample-images"] canvas').first().evaluate((canvas: any) => {
      const data: Uint8ClampedArray = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] > 170) count++;
      return count;
    });
    expect(bright).toBeGreaterThan(4);
    await page.screenshot({ path: screenshotPath("08-dataset.png"), fullPage: true });
  });

  it("shows a table's columns and rows, and a model's feature pipeline, test metrics and predictions on raw rows", async () => {
    const rows = Array.from({ length: 90 }, (_, i) => ({
      island: ["Biscoe", "Dream", "Torgersen"][i % 3],
      beak: i % 11 === 0 ? null : i % 13 === 0 ? "NA" : 35 + (i % 3) * 6 + (i % 5) * 0.3,
      sex: i % 2 === 0 ? "MALE" : "FEMALE",
      species: ["Adelie", "Chinstrap", "Gentoo"][i % 3],
    }));
    const table = await fetch(`${cluster.base}/v1/datasets?label=species&name=penguin-ish`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(rows) });
    expect(table.status).toBe(201);
    const dataset = (await table.json()) as { id: string };
    const jobId = await submit({
      datasetId: dataset.id,
      model: { layers: [{ type: "dense", units: 8, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] },
      training: { epochs: 15, batchSize: 16, seed: 1, loss: "sparseCategoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.05 }, validationSplit: 0.2, testSplit: 0.2 },
    });
    const modelId = await waitFor(async () => {
      const job = (await api("GET", `/v1/jobs/${jobId}`)).body;
      return job.status === "succeeded" ? (job.resultModelId as string) : undefined;
    }, { timeoutMs: 60_000, what: "the table job" });

    await page.goto(`${cluster.base}/#/datasets/${dataset.id}`);
    await page.locator('[data-testid="columns"] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid="columns"] tbody tr').count()).toBe(4);
    expect(await page.locator('[data-column="beak"]').textContent()).toContain("number");
    expect(await page.locator('[data-column="beak"]').textContent()).toContain('as "NA" (6)'); // the markers a column met
    await page.locator('[data-testid="table-rows"] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid="table-rows"]').textContent()).toContain("missing");
    await page.screenshot({ path: screenshotPath("10-table-dataset.png"), fullPage: true });

    await page.goto(`${cluster.base}/#/models/${modelId}`);
    await page.locator('[data-testid="pipeline"] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid="pipeline"]').textContent()).toContain("one-hot");
    expect(await page.locator('[data-testid="test-metrics"]').textContent()).toContain("test accuracy");
    await page.waitForFunction(() => ((globalThis as any).document.getElementById("predict-rows")?.value ?? "").includes("island"));
    await page.getByRole("button", { name: "Predict" }).click();
    await page.locator('[data-testid="prediction"] tbody tr').nth(2).waitFor();
    expect(await page.locator('[data-testid="prediction"]').textContent()).toMatch(/Adelie|Chinstrap|Gentoo/);
    await page.screenshot({ path: screenshotPath("11-table-model.png"), fullPage: true });
  });

  it("draws a graph model's layers as boxes with an arrow for every input, the skip connection included", async () => {
    const jobId = await submit({
      datasetId,
      model: {
        inputShape: [12, 12, 1],
        layers: [
          { type: "flatten", name: "pixels" },
          { type: "dense", units: 16, activation: "relu", name: "stem" },
          { type: "dense", units: 16, activation: "relu", name: "branch" },
          { type: "add", inputs: ["stem", "branch"], name: "residual" },
          { type: "concatenate", inputs: ["residual", "pixels"] },
          { type: "dense", units: 3, activation: "softmax" },
        ],
      },
      training: { epochs: 1, batchSize: 32, seed: 2, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.01 } },
    });
    const modelId = await waitFor(async () => {
      const job = (await api("GET", `/v1/jobs/${jobId}`)).body;
      return job.status === "succeeded" ? (job.resultModelId as string) : undefined;
    }, { timeoutMs: 60_000, what: "the graph job" });
    await page.goto(`${cluster.base}/#/models/${modelId}`);
    const graph = page.locator('[data-testid="model-graph"]');
    await graph.locator("g[data-node]").first().waitFor();
    // The input and six layers; an edge per input: 1 + 1 + 1 + 2 + 2 + 1.
    expect(await graph.locator("g[data-node]").count()).toBe(7);
    const edges = await graph.locator("path[data-edge]").evaluateAll((paths) => paths.map((path) => path.getAttribute("data-edge")).sort());
    expect(edges).toEqual(["0->1", "0->4", "1->2", "1->3", "2->3", "3->4", "4->5", "input->0"]);
    expect(await graph.textContent()).toContain("residual · add");
    expect(await page.locator(".model-graph-host").evaluate((host) => host.previousElementSibling?.textContent)).toContain("2 merges of branches");
    // Every box is drawn inside the picture, none on top of another.
    const boxes = await graph.locator("g[data-node] rect").evaluateAll((rects) => rects.map((rect) => rect.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width, h: r.height })));
    for (const [i, a] of boxes.entries()) {
      expect(a.w).toBeGreaterThan(100);
      for (const b of boxes.slice(i + 1)) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true);
    }
    await graph.screenshot({ path: screenshotPath("12-model-graph.png") });
  });

  it("shows a sweep (best trial, a scatter per parameter, every trial) and overlays its trials' curves", async () => {
    const created = await api("POST", "/v1/sweeps", {
      name: "shapes grid",
      base: imageJob(3),
      parameters: { "/training/optimizer/learningRate": { values: [0.001, 0.01] }, "/model/layers/3/units": { values: [12, 24] } },
      metric: "valLoss",
      goal: "minimize",
      method: "grid",
      maxTrials: 4,
      maxParallel: 2,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const sweepId = created.body.id;
    const done = await waitFor(async () => {
      const sweep = (await api("GET", `/v1/sweeps/${sweepId}`)).body;
      return sweep.status === "completed" ? sweep : undefined;
    }, { what: "the sweep to complete", timeoutMs: 120_000, intervalMs: 200 });

    await page.goto(`${cluster.base}/#/sweeps`);
    await page.locator(`tr[data-sweep-id="${sweepId}"]`).waitFor();
    await page.goto(`${cluster.base}/#/sweeps/${sweepId}`);
    await page.locator(".scatter").first().waitFor();
    expect(await page.locator(".scatter").count()).toBe(2);
    expect(await page.locator(".scatter-dot").count()).toBe(8);
    expect(await page.locator(".scatter-dot.best").count()).toBe(2);
    expect(await page.locator(".trials-table tbody tr").count()).toBe(4);
    expect(await page.locator('a[data-action="open-best-model"]').innerText()).toBe(done.best.modelId);
    await page.screenshot({ path: screenshotPath("13-sweep.png"), fullPage: true });

    await page.locator('a[data-action="compare-trials"]').click();
    const chart = page.locator(".compare-chart");
    await chart.locator("canvas").first().waitFor();
    expect(await page.locator(".compare-legend li").count()).toBe(4);
    expect(await page.locator(".differences-table tbody tr td.mono").allInnerTexts()).toEqual(["/model/layers/3/units", "/training/optimizer/learningRate"]);
    await page.locator("#compare-log").check();
    await page.locator("#compare-smoothing").fill("0.6");
    expect(await chart.getAttribute("data-log")).toBe("true");
    expect(await chart.getAttribute("data-smoothing")).toBe("0.6");
    await page.screenshot({ path: screenshotPath("14-compare.png"), fullPage: true });

    // The best trial's model, kept by name: the registry page shows its version and alias.
    expect((await api("POST", "/v1/registered-models", { name: "shapes-classifier", description: "from the shapes grid", tags: ["shapes"] })).status).toBe(201);
    expect((await api("POST", "/v1/registered-models/shapes-classifier/versions", { modelId: done.best.modelId })).status).toBe(201);
    expect((await api("PUT", "/v1/registered-models/shapes-classifier/aliases/production", { version: 1 })).status).toBe(200);
    await page.goto(`${cluster.base}/#/registry`);
    const entry = page.locator('[data-registered="shapes-classifier"]');
    await entry.waitFor();
    expect(await entry.locator('[data-alias="production"]').innerText()).toBe("production → v1");
    expect(await entry.locator(`tr[data-version="1"] a[href="#/models/${done.best.modelId}"]`).count()).toBe(1);
    await page.screenshot({ path: screenshotPath("15-registry.png"), fullPage: true });

    // From the jobs list: tick two jobs, and the compare button links to them.
    await page.goto(`${cluster.base}/#/jobs`);
    const [a, b] = done.trials.map((t: { jobId: string }) => t.jobId);
    await page.locator(`tr[data-job-id="${a}"] input[type=checkbox]`).check();
    await page.locator(`tr[data-job-id="${b}"] input[type=checkbox]`).check();
    expect(await page.locator('a[data-action="compare"]').getAttribute("href")).toBe(`#/compare?ids=${a},${b}`);
  });

  it("serves BullMQ's queue view behind the admin key, by Bearer or by a login cookie", async () => {
    const base = cluster.base;
    expect((await fetch(`${base}/admin/queues/api/queues`)).status).toBe(401);
    expect((await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    const asAdmin = await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(asAdmin.status).toBe(200);
    expect(JSON.stringify(await asAdmin.json())).toContain("training");

    const admin = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const adminPage = await admin.newPage();
    await adminPage.goto(`${base}/admin/queues`);
    await adminPage.waitForURL(/\/admin\/login$/);
    await adminPage.getByLabel("Admin key").fill("wrong-key-wrong-key");
    await adminPage.getByRole("button", { name: "Open the queue view" }).click();
    await adminPage.getByText("That is not the admin key.").waitFor();
    await adminPage.getByLabel("Admin key").fill(adminKey);
    await adminPage.getByRole("button", { name: "Open the queue view" }).click();
    await adminPage.waitForURL(/\/admin\/queues/);
    await adminPage.getByRole("link", { name: "training" }).first().click();
    await adminPage.getByText(/completed/i).first().waitFor({ timeout: 15_000 });
    await adminPage.waitForLoadState("networkidle");
    const cookie = (await admin.cookies()).find((c) => c.name === "descent_admin")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/admin" });
    expect(cookie.value).not.toContain(adminKey);
    await adminPage.screenshot({ path: screenshotPath("09-queues.png") });
    await admin.close();
  });

  it("GET /v1/datasets/:id/samples returns a slice of the stored rows, within the project", async () => {
    const original = shapesDataset(1500);
    const res = await api("GET", `/v1/datasets/${datasetId}/samples?offset=1498&limit=5`);
    expect(res.status).toBe(200);
    expect(res.body.labels).toEqual([original.labels[1498], original.labels[1499]]);
    expect(res.body.features[1]).toEqual(original.features[1499]);
    expect((await api("GET", `/v1/datasets/${datasetId}/samples?offset=1500`)).body).toEqual({ features: [], labels: [] });
    expect((await api("GET", `/v1/datasets/${datasetId}/samples?limit=101`)).status).toBe(400);
    expect((await apiCall(cluster.base, null, "GET", `/v1/datasets/${datasetId}/samples`)).status).toBe(401);
    const other = await apiCall(cluster.base, adminKey, "POST", "/v1/projects", { name: "other" });
    expect((await apiCall(cluster.base, other.body.apiKey, "GET", `/v1/datasets/${datasetId}/samples`)).status).toBe(404);
  });
});
