// `descent`: the command-line client, built on the SDK (src/sdk).
// Settings: DESCENT_URL (default http://127.0.0.1:3000) and DESCENT_API_KEY.

import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { Command, Option } from "commander";
import { createDescentClient, data, type CsvUploadQuery, type Job, type JobInput } from "../sdk/index.js";
import { describeFailure } from "./errors.js";
import { printTable } from "./format.js";
import { followWithProgress } from "./progress.js";

const baseUrl = (process.env.DESCENT_URL || "http://127.0.0.1:3000").replace(/\/$/, "");
const apiKey = process.env.DESCENT_API_KEY || undefined;
const client = createDescentClient({ baseUrl, apiKey });
const program = new Command("descent").description(`Client of the descent training service at ${baseUrl} (DESCENT_URL, DESCENT_API_KEY).`);

const datasets = program.command("datasets").description("training data");
datasets
  .command("upload <file>")
  .description("upload a .csv (needs --label) or a .json dataset")
  .option("--label <column>", "the label column of a CSV file")
  .option("--name <name>", "the dataset's name (default: the file's name)")
  .option("--types <pairs>", "CSV: column types you choose, e.g. zip:category,year:number")
  .option("--ignore <columns>", "CSV: columns to leave out, e.g. id,date")
  .option("--missing <markers>", 'CSV: the cells that mean no value, e.g. NA,null (default: NA N/A NaN null None ? - #N/A <NA>; "" for empty cells only)')
  .addOption(new Option("--delimiter <name>", "CSV: what separates the fields (default: guessed from the header)").choices(["comma", "semicolon", "tab", "pipe"]))
  .addOption(new Option("--decimal <separator>", 'CSV: "," reads 12,5 as 12.5 (default: "," for a ;-separated file, else ".")').choices([".", ","]))
  .addOption(new Option("--date-order <order>", "CSV: how N/N/YYYY dates read, month or day first (default: they stay text)").choices(["mdy", "dmy"]))
  .action(async (file: string, options: Partial<Pick<CsvUploadQuery, "label" | "name" | "types" | "ignore" | "missing" | "delimiter" | "decimal" | "dateOrder">>) => {
    const text = await readFile(file, "utf8");
    const name = options.name ?? file.split("/").pop()!.replace(/\.[^.]+$/, "");
    let dataset;
    if (extname(file).toLowerCase() === ".json") {
      dataset = data(await client.POST("/v1/datasets", { body: { name, ...JSON.parse(text) } }));
    } else {
      if (!options.label) throw new UsageError("a CSV upload needs --label <column>");
      const { label, types, ignore, missing, delimiter, decimal, dateOrder } = options;
      dataset = await client.uploadCsv(text, { label, name, types, ignore, missing, delimiter, decimal, dateOrder });
    }
    console.log(`dataset ${dataset.id} (${dataset.name}): ${dataset.numSamples} samples, input shape [${dataset.inputShape.join(", ")}]` +
      (dataset.numClasses ? `, ${dataset.numClasses} classes: ${(dataset.classNames ?? []).join(", ")}` : ""));
  });
datasets
  .command("ls")
  .description("list datasets, newest first")
  .action(async () => {
    const page = data(await client.GET("/v1/datasets", { params: { query: { limit: 50 } } }));
    printTable(["id", "name", "samples", "input", "classes", "created"], page.data.map((d) => [d.id, d.name, d.numSamples, `[${d.inputShape.join(",")}]`, d.numClasses, d.createdAt]));
  });

program
  .command("train")
  .description("submit a training job: spec.json holds {model, training} (or a whole job body)")
  .requiredOption("--dataset <id>", "the dataset to train on")
  .requiredOption("--spec <file>", "JSON file with the model spec and training config")
  .option("--follow", "show live progress until the job ends, then a summary")
  .action(async (options: { dataset: string; spec: string; follow?: boolean }) => {
    const spec = JSON.parse(await readFile(options.spec, "utf8")) as Omit<JobInput, "datasetId">;
    const job = await client.submitJob({ ...spec, datasetId: options.dataset } as JobInput);
    console.log(`job ${job.id} queued (${job.totalEpochs} epochs); dashboard: ${baseUrl}/#/jobs/${job.id}`);
    if (options.follow) process.exitCode = await followWithProgress(client, job.id, baseUrl);
  });

/** Every job status, for --status (the compiler checks the list against the API's). */
const jobStatuses = ["queued", "running", "paused", "succeeded", "failed", "cancelled"] as const satisfies readonly Job["status"][];

const jobs = program.command("jobs").description("training jobs");
jobs
  .command("ls")
  .description("list jobs, newest first")
  .addOption(new Option("--status <status>", "only jobs in this status").choices(jobStatuses))
  .action(async (options: { status?: (typeof jobStatuses)[number] }) => {
    const page = data(await client.GET("/v1/jobs", { params: { query: { limit: 50, ...(options.status ? { status: options.status } : {}) } } }));
    printTable(
      ["id", "status", "epoch", "dataset", "model", "created"],
      page.data.map((j) => [j.id, j.status, `${j.epoch}/${j.totalEpochs}`, j.datasetId, j.resultModelId ?? "", j.createdAt]),
    );
  });
jobs
  .command("cancel <id>")
  .description("cancel a queued or running job")
  .action(async (id: string) => {
    const job = data(await client.POST("/v1/jobs/{id}/cancel", { params: { path: { id } } }));
    console.log(`job ${job.id}: ${job.status === "cancelled" ? "cancelled" : "cancelling (the worker stops at the next batch)"}`);
  });
jobs
  .command("fork <id>")
  .description("start a new job from one kept epoch checkpoint of a job")
  .requiredOption("--from-epoch <n>", "the epoch to start after", (value) => Number.parseInt(value, 10))
  .option("--learning-rate <rate>", "a new learning rate from the next epoch", Number.parseFloat)
  .action(async (id: string, options: { fromEpoch: number; learningRate?: number }) => {
    const training = options.learningRate === undefined ? {} : { training: { optimizer: { learningRate: options.learningRate } } };
    const job = data(await client.POST("/v1/jobs/{id}/fork", { params: { path: { id } }, body: { fromEpoch: options.fromEpoch, ...training } }));
    console.log(`job ${job.id}: ${job.status}, forked from ${id} after epoch ${options.fromEpoch}`);
  });
jobs
  .command("pause <id>")
  .description("pause a queued or running job (it keeps its checkpoint; resume continues it)")
  .action(async (id: string) => {
    const job = data(await client.POST("/v1/jobs/{id}/pause", { params: { path: { id } } }));
    console.log(`job ${job.id}: ${job.status === "paused" ? "paused" : "pausing (the worker stops at the next batch)"}`);
  });
jobs
  .command("resume <id>")
  .description("queue a paused job again")
  .action(async (id: string) => {
    const job = data(await client.POST("/v1/jobs/{id}/resume", { params: { path: { id } } }));
    console.log(`job ${job.id}: ${job.status}`);
  });
jobs
  .command("follow <id>")
  .description("follow a job's progress until it ends, then print a summary")
  .action(async (id: string) => {
    process.exitCode = await followWithProgress(client, id, baseUrl);
  });

program
  .command("predict <model>")
  .description("run a trained model on raw rows (models trained on a table) or on inputs (arrays of numbers)")
  .requiredOption("--input <json>", 'a row ({"petalLength": 1.4, ...}) or rows ([{...}, ...]), an input ([5.1, 3.5]) or inputs ([[...], ...]); @file reads a file')
  .action(async (model: string, options: { input: string }) => {
    const text = options.input.startsWith("@") ? await readFile(options.input.slice(1), "utf8") : options.input;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError("--input is not JSON: give {column: value}, [{...}], [numbers] or [[numbers], ...]");
    }
    const items = Array.isArray(parsed) && !parsed.every((x) => typeof x === "number") ? parsed : [parsed];
    const isRow = (item: unknown) => typeof item === "object" && item !== null && !Array.isArray(item);
    if (!items.every(isRow) && !items.every(Array.isArray)) throw new UsageError("--input: give rows ({column: value}) or inputs (arrays of numbers), not a mix");
    const body = items.every(isRow) ? { rows: items as Record<string, string | number | boolean | null>[] } : { inputs: items as number[][] };
    const prediction = data(await client.POST("/v1/models/{id}/predict", { params: { path: { id: model } }, body }));
    printTable(
      ["#", "class", "outputs"],
      prediction.outputs.map((output, i) => [i, prediction.classNames?.[i] ?? prediction.values?.[i] ?? prediction.classes?.[i] ?? "", output.map((v) => +v.toFixed(4)).join(", ")]),
    );
  });

class UsageError extends Error {}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`descent: ${error instanceof UsageError ? error.message : describeFailure(error, { baseUrl, apiKey })}`);
  process.exitCode = 1;
}
