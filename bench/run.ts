/**
 * descent's engine against TensorFlow.js (cpu and wasm/SIMD backends), in the
 * same process, on the same data, model, batches and initial weights.
 * Run with `npm run bench`; prints tables, asserts nothing.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { PerformanceObserver } from "node:perf_hooks";
import { createModel, exportWeights, fit, type ModelSpec, type OptimizerConfig } from "../src/engine/index.js";
import { mnistTrainingSet } from "./data.js";
import { MLP, gemmGflops, initialWeights, trainDescent } from "./descent.js";
import { setZeroSkipping } from "../src/engine/kernels/gemm.js";
import { printTable } from "./table.js";
import { tfjsGemmGflops, trainTfjs, useBackend, type TfBackend } from "./tfjs.js";
import { trainTfjsCnn } from "./tfjs-cnn.js";

const TRAIN_SAMPLES = 8000;
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 2);
const quick = process.env.BENCH_QUICK === "1"; // one tfjs-cpu epoch, no tfjs-cpu 1024^3
const only = process.env.BENCH_ONLY; // "training", "cnn", "gemm" or "heap": run one section

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function main(): Promise<void> {
  const data = mnistTrainingSet(TRAIN_SAMPLES);
  console.log(`MLP 784-128-64-10 on ${TRAIN_SAMPLES} MNIST digits, ${EPOCHS} timed epoch(s) after a warm-up epoch; node ${process.version}`);

  if (!only || only === "training") await trainingThroughput(data);
  if (!only || only === "cnn") await cnnThroughput(data);
  if (!only || only === "gemm") await gemmThroughput();
  if (!only || only === "heap") await heapAcrossEpochs(data);
}

async function trainingThroughput(data: ReturnType<typeof mnistTrainingSet>): Promise<void> {
  const configs: { name: string; optimizer: OptimizerConfig; batchSize: number }[] = [];
  for (const [name, optimizer] of [["SGD lr 0.1", { type: "sgd", learningRate: 0.1 }], ["Adam lr 1e-3", { type: "adam", learningRate: 1e-3 }]] as const) {
    for (const batchSize of [32, 256]) configs.push({ name: `${name}, batch ${batchSize}`, optimizer, batchSize });
  }
  const rows: (string | number)[][] = [];
  for (const config of configs) {
    const { model, weights } = initialWeights(7);
    const lossAfterFirstEpoch = (await trainDescent(model, data, config.optimizer, config.batchSize, 1)).loss; // also the warm-up
    const ours = await trainDescent(model, data, config.optimizer, config.batchSize, EPOCHS);
    // The same, with the zero-skipping GEMM off: what the dense kernels alone give on MNIST (~81% zero pixels).
    const previous = setZeroSkipping(false);
    const denseModel = initialWeights(7).model;
    await trainDescent(denseModel, data, config.optimizer, config.batchSize, 1);
    const denseOnly = await trainDescent(denseModel, data, config.optimizer, config.batchSize, EPOCHS);
    setZeroSkipping(previous);
    const tfjs: Record<TfBackend, { samplesPerSecond: number; loss: number }> = {} as never;
    for (const backend of ["wasm", "cpu"] as const) {
      await useBackend(backend);
      const epochs = backend === "cpu" && quick ? 1 : EPOCHS;
      const type = config.optimizer.type === "sgd" ? "sgd" : "adam";
      tfjs[backend] = await trainTfjs(weights, data, type, config.optimizer.learningRate, config.batchSize, epochs);
    }
    const best = Math.max(tfjs.wasm.samplesPerSecond, tfjs.cpu.samplesPerSecond);
    rows.push([
      config.name,
      ours.samplesPerSecond.toFixed(0),
      denseOnly.samplesPerSecond.toFixed(0),
      tfjs.wasm.samplesPerSecond.toFixed(0),
      tfjs.cpu.samplesPerSecond.toFixed(0),
      (ours.samplesPerSecond / best).toFixed(2) + "x",
      (denseOnly.samplesPerSecond / best).toFixed(2) + "x",
      `${lossAfterFirstEpoch.toFixed(4)} / ${tfjs.wasm.loss.toFixed(4)}`,
    ]);
  }
  printTable("Training throughput (samples/s)", ["configuration", "descent", "descent, dense kernels only", "tfjs-wasm", "tfjs-cpu", "descent / best tfjs", "dense only / best tfjs", "epoch-1 loss descent / tfjs"], rows);

}

const CNN: ModelSpec = {
  inputShape: [28, 28, 1],
  layers: [{ type: "conv2d", filters: 8, kernelSize: 3, activation: "relu" }, { type: "maxPool2d", poolSize: 2 }, { type: "flatten" }, { type: "dense", units: 10, activation: "softmax" }],
};

/**
 * The CNN conv 3x3x8 valid -> relu -> maxPool 2 -> dense 10, SGD lr 0.05,
 * batch 32, from the same initial weights, on the same batches (no shuffle).
 * descent: one warm-up epoch, then EPOCHS timed; tfjs-wasm: one warm-up
 * epoch, one timed; tfjs-cpu (slow): 320 warm-up samples, 640 timed.
 */
async function cnnThroughput(data: ReturnType<typeof mnistTrainingSet>): Promise<void> {
  const optimizer: OptimizerConfig = { type: "sgd", learningRate: 0.05 };
  const model = createModel(CNN, 7);
  const { manifest, data: bytes } = exportWeights(model);
  const all = new Float32Array(bytes.buffer.slice(0));
  const weights = manifest.map((entry) => all.slice(entry.offset, entry.offset + entry.shape.reduce((a, b) => a * b, 1)));
  const warmup = await trainDescent(model, data, optimizer, 32, 1);
  const ours = await trainDescent(model, data, optimizer, 32, EPOCHS);
  await useBackend("wasm");
  const wasm = await trainTfjsCnn("wasm", weights, data, { warmup: data.numSamples, timed: data.numSamples }, 0.05, 32);
  await useBackend("cpu");
  const cpu = await trainTfjsCnn("cpu", weights, data, { warmup: 320, timed: quick ? 320 : 640 }, 0.05, 32);
  printTable(
    "CNN training throughput (samples/s): conv 3x3x8 valid -> relu -> maxPool 2 -> dense 10, SGD, batch 32",
    ["descent", "tfjs-wasm (conv3d, depth 1)", "tfjs-cpu (conv2d)", "descent / tfjs-wasm", "epoch-1 loss descent / tfjs-wasm"],
    [[ours.samplesPerSecond.toFixed(0), wasm.samplesPerSecond.toFixed(0), cpu.samplesPerSecond.toFixed(0), (ours.samplesPerSecond / wasm.samplesPerSecond).toFixed(2) + "x", `${warmup.loss.toFixed(4)} / ${wasm.warmupLoss.toFixed(4)}`]],
  );
}

async function gemmThroughput(): Promise<void> {
  const gemmRows: (string | number)[][] = [];
  const sizes: [number, number, number][] = [[64, 128, 784], [256, 256, 256], [512, 512, 512], [1024, 1024, 1024]];
  for (const [m, n, k] of sizes) {
    for (const [label, transA, transB] of [["A.B", false, false], ["A^T.B", true, false], ["A.B^T", false, true]] as const) {
      const ours = gemmGflops(m, n, k, transA, transB);
      await useBackend("wasm");
      const wasm = tfjsGemmGflops(m, n, k, transA, transB);
      await useBackend("cpu");
      const cpu = m >= 1024 && quick ? NaN : tfjsGemmGflops(m, n, k, transA, transB, 200);
      gemmRows.push([`${m}x${k}x${n} ${label}`, ours.toFixed(2), wasm.toFixed(2), cpu.toFixed(2)]);
    }
  }
  printTable("GEMM (GFLOP/s, single thread; m x k x n)", ["product", "descent", "tfjs-wasm", "tfjs-cpu"], gemmRows);
}

/**
 * Heap after the first epoch (graphs and optimizer state built) and after 3
 * more, inside one fit(), and how many garbage collections ran meanwhile:
 * steady-state training should allocate (almost) nothing per batch.
 */
async function heapAcrossEpochs(data: ReturnType<typeof mnistTrainingSet>): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const batchSize of [32, 256]) {
    const model = createModel(MLP, 3);
    let before = 0;
    let afterNoGc = 0;
    let collections = 0;
    const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
    const config = { epochs: 4, batchSize, seed: 1, loss: "sparseCategoricalCrossentropy" as const, optimizer: { type: "adam" as const, learningRate: 1e-3 } };
    await fit(model, { x: data.x, y: data.labels, numSamples: data.numSamples }, config, {
      onEpochEnd: ({ epoch }) => {
        if (epoch === 1) {
          gc();
          before = process.memoryUsage().heapUsed;
          observer.observe({ entryTypes: ["gc"] });
        }
        if (epoch === 4) afterNoGc = process.memoryUsage().heapUsed;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 10)); // let the observer report
    observer.disconnect();
    gc();
    const after = process.memoryUsage().heapUsed;
    const batches = 3 * Math.ceil(data.numSamples / batchSize);
    rows.push([`Adam, batch ${batchSize}: epochs 2-4 (${batches} batches)`, mb(before), mb(afterNoGc), mb(after), collections]);
  }
  printTable("Heap (MB) across 3 epochs of one fit()", ["run", "before", "after (no GC)", "after GC", "GCs during"], rows);
}

function mb(bytes: number): string {
  return (bytes / 1048576).toFixed(2);
}

await main();
