/**
 * descent's engine against TensorFlow.js (wasm/SIMD and cpu backends), in the
 * same process, on the same data, batches and initial weights, every
 * contender timed the same way (bench/timing.ts). Run with `npm run bench`;
 * prints tables, asserts nothing, is not part of `npm test`.
 *   BENCH_ONLY=peak,gemm,mlp,cnn,tabular,sequence,heap   run some sections
 *   BENCH_QUICK=1                               shorter timings, no tfjs-cpu 1024^3
 */
import { cpus } from "node:os";
import { PerformanceObserver } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createModel, fit, kernelPath, TRAINING_FLOPS_FACTOR, useKernelPath, type KernelExecutor, type KernelPath, type ModelSpec, type OptimizerConfig } from "../src/engine/index.js";
import { createThreadExecutor } from "../src/parallel/index.js";
import { denseRandomSet, mnistTrainingSet, type BenchData } from "./data.js";
import { descentGemm, descentStep, initialWeights } from "./descent.js";
import { CNN, flopsPerSample, MNIST_MLP, TABULAR_MLP, type BenchModel } from "./models.js";
import { withOtherLoad, percent } from "./other-load.js";
import { measureSimdPeak, measureSimdPeakOnThreads } from "./peak.js";
import { LSTM_SPEC, tfjsLayersStep, tfjsTransformerStep, trainingFlopsPerSample, TRANSFORMER_SPEC } from "./sequence.js";
import { printTable } from "./table.js";
import { tfjsCnnStep } from "./tfjs-cnn.js";
import { tfjsDenseStep, tfjsGemmGflops, tfjsWasmThreads, tfOptimizer, useBackend, type TfBackend } from "./tfjs.js";
import { race, type Contender } from "./race.js";
import { gemmGflops, type TrainingStep } from "./timing.js";

const quick = process.env.BENCH_QUICK === "1";
const sections = new Set((process.env.BENCH_ONLY ?? "peak,gemm,mlp,cnn,tabular,sequence,heap").split(","));
const BUDGET_MS = quick ? 500 : 1500; // timed training per contender and row
const GEMM_BUDGET_MS = quick ? 300 : 900;
const WARMUP_BATCHES = 10;
const SEED = 7;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function main(): Promise<void> {
  console.log(`descent vs TensorFlow.js 4.22, node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores; descent kernels: ${kernelPath()}`);
  const executor = createThreadExecutor(2);
  try {
    if (sections.has("peak")) {
      const one = measureSimdPeak();
      const two = await withOtherLoad(() => measureSimdPeakOnThreads(2));
      console.log(
        `\nWebAssembly SIMD multiply-add peak (f32x4.mul + f32x4.add, the GEMM's inner loop from L1): one thread ${one.toFixed(1)} GFLOP/s;` +
          ` two threads at once ${two.result.toFixed(1)} GFLOP/s (${(two.result / one).toFixed(2)}x; other processes' load meanwhile ${percent(two.otherLoad)})`,
      );
    }
    if (sections.has("gemm")) await gemmSection(executor);
    const mnist = sections.has("mlp") || sections.has("cnn") || sections.has("heap") ? mnistTrainingSet(8000) : null;
    if (sections.has("mlp")) {
      const dense = denseRandomSet("dense random", 8000, 784, 10);
      await trainingSection("MLP 784-128-64-10 (samples/s)", MNIST_MLP, [mnist!, dense], [[32, "sgd"], [256, "sgd"], [32, "adam"], [256, "adam"]], executor);
    }
    if (sections.has("cnn")) await trainingSection("CNN conv 3x3x8 valid -> relu -> maxPool 2 -> flatten -> dense 10 (samples/s)", CNN, [mnist!], [[32, "sgd"], [64, "adam"]], executor);
    if (sections.has("tabular")) {
      const table = denseRandomSet("dense table 54 x 20000", 20000, 54, 7);
      await trainingSection("Tabular MLP 54-256-128-7 on a dense table (samples/s)", TABULAR_MLP, [table], [[32, "sgd"], [128, "adam"]], executor);
    }
    if (sections.has("sequence")) await sequenceSection(executor);
    if (sections.has("heap")) await heapAcrossEpochs(mnist!);
    if (!tfjsWasmThreads()) {
      console.log(
        "\ntfjs-wasm on 2 threads: not measurable in Node. tfjs-backend-wasm 4.22 hard-wires WASM_HAS_MULTITHREAD_SUPPORT to false under Node" +
          " (tfjs issue 3830), so setThreadsCount has no effect; forcing the flag fails at init (Node's Worker cannot load the blob: URL the backend gives it).",
      );
    }
  } finally {
    await executor.close();
  }
}

const FORMS = [["A.B", false, false], ["A^T.B", true, false], ["A.B^T", false, true]] as const;

/**
 * The peak is measured again before every product and the highest one kept:
 * on a shared machine a single measurement can land in a busy moment. One
 * and two threads take turns (GEMM_ROUNDS rounds each, the best counts), so
 * both see the same machine; the other processes' load during the best
 * 2-thread round says how free the second core was.
 */
async function gemmSection(executor: KernelExecutor): Promise<void> {
  const rows: (string | number)[][] = [];
  const measured: number[] = [];
  const sizes: [number, number, number][] = [[64, 784, 128], [256, 256, 256], [512, 512, 512], [1024, 1024, 1024]];
  for (const [m, k, n] of sizes) {
    for (const [label, transA, transB] of FORMS) {
      measured.push(measureSimdPeak(200));
      const product = descentGemm(m, n, k, transA, transB);
      const [one, two, otherLoad] = await oneAndTwoThreads(product, executor, m, n, k);
      await useBackend("wasm");
      const wasm = tfjsGemmGflops(m, n, k, transA, transB, GEMM_BUDGET_MS);
      await useBackend("cpu");
      const cpu = m >= 1024 && quick ? NaN : tfjsGemmGflops(m, n, k, transA, transB, GEMM_BUDGET_MS / 2, 1);
      rows.push([`${m}x${k}x${n} ${label}`, one.toFixed(1), one, two.toFixed(1), ratio(two, one), percent(otherLoad), wasm.toFixed(1), cpu.toFixed(2), ratio(one, wasm), ratio(two, wasm)]);
    }
  }
  const peak = Math.max(...measured);
  for (const row of rows) row[2] = `${((100 * (row[2] as number)) / peak).toFixed(0)}%`;
  printTable(
    `GEMM (GFLOP/s; m x k x n; operands in place, tfjs results read back with dataSync outside tidy; SIMD peak ${peak.toFixed(1)} GFLOP/s, the best of ${measured.length} measurements in this run)`,
    ["product", "descent 1 thread", "of peak", "descent 2 threads", "2T / 1T", "others' load (2T)", "tfjs-wasm", "tfjs-cpu", "descent 1T / tfjs-wasm", "descent 2T / tfjs-wasm"],
    rows,
  );
  console.log(`(descent 1 and 2 threads: best of ${GEMM_ROUNDS} interleaved rounds of ${(GEMM_BUDGET_MS / GEMM_ROUNDS).toFixed(0)} ms each; products under 16 MFLOP stay on one thread)`);
}

const GEMM_ROUNDS = 3;

/** GFLOP/s of `product` on this thread and split by `executor`, in turns; and other processes' load during the best split round. */
async function oneAndTwoThreads(product: (executor: KernelExecutor | null) => void, executor: KernelExecutor, m: number, n: number, k: number): Promise<[number, number, number]> {
  let one = 0;
  let two = 0;
  let otherLoad = 0;
  for (let round = 0; round < GEMM_ROUNDS; round++) {
    one = Math.max(one, gemmGflops(() => product(null), m, n, k, GEMM_BUDGET_MS / GEMM_ROUNDS, 1));
    const split = await withOtherLoad(() => gemmGflops(() => product(executor), m, n, k, GEMM_BUDGET_MS / GEMM_ROUNDS, 1));
    if (split.result > two) [two, otherLoad] = [split.result, split.otherLoad];
  }
  return [one, two, otherLoad];
}

type OptimizerName = "sgd" | "adam";
const LEARNING_RATE: Record<OptimizerName, number> = { sgd: 0.05, adam: 1e-3 };
const ROUNDS = 3;

/** descent's training rows (1 and 2 threads, the TypeScript path) against tfjs-wasm and tfjs-cpu; see race(). */
async function trainingSection(title: string, model: BenchModel, datasets: BenchData[], configs: [number, OptimizerName][], executor: KernelExecutor): Promise<void> {
  const rows: (string | number)[][] = [];
  const weights = initialWeights(model.spec, SEED);
  for (const data of datasets) {
    for (const [batchSize, optimizer] of configs) {
      const config: OptimizerConfig = { type: optimizer, learningRate: LEARNING_RATE[optimizer] };
      const onPath = (path: KernelPath) => async () => void useKernelPath(path);
      const onBackend = (backend: TfBackend) => () => useBackend(backend);
      const tfjs = (backend: TfBackend) => () =>
        (model === CNN ? tfjsCnnStep(backend, weights, data, tfOptimizer(optimizer, config.learningRate)) : tfjsDenseStep(weights, sizesOf(model), data, tfOptimizer(optimizer, config.learningRate))).step;
      const contenders: Contender[] = [
        { name: "descent 1T", select: onPath("wasm"), make: () => descentStep(model.spec, SEED, data, config, undefined) },
        { name: "descent 2T", select: onPath("wasm"), make: () => descentStep(model.spec, SEED, data, config, executor) },
        { name: "descent TS", select: onPath("typescript"), make: () => descentStep(model.spec, SEED, data, config, undefined) },
        { name: "tfjs-wasm", select: onBackend("wasm"), make: tfjs("wasm") },
        { name: "tfjs-cpu", select: onBackend("cpu"), make: tfjs("cpu") },
      ];
      const { samplesPerSecond: best, warmUpLoss: losses } = await race(contenders, data, batchSize, { budgetMs: BUDGET_MS, rounds: ROUNDS, warmUpBatches: WARMUP_BATCHES });
      useKernelPath("wasm");
      const [one, two, typescript, wasm, cpu] = best;
      const bestTfjs = Math.max(wasm, cpu);
      rows.push([
        `${data.name}, ${optimizer === "sgd" ? "SGD" : "Adam"}, batch ${batchSize}`,
        one.toFixed(0),
        two.toFixed(0),
        typescript.toFixed(0),
        wasm.toFixed(0),
        cpu.toFixed(0),
        ((one * flopsPerSample(model)) / 1e9).toFixed(1),
        ratio(one, bestTfjs),
        ratio(two, bestTfjs),
        `${losses[0].toFixed(4)} / ${losses[3].toFixed(4)}`,
      ]);
    }
  }
  printTable(title, ["data, optimizer, batch", "descent 1 thread", "descent 2 threads", "descent TS kernels", "tfjs-wasm", "tfjs-cpu", "descent 1T GFLOP/s", "1T / best tfjs", "2T / best tfjs", "warm-up loss descent / tfjs-wasm"], rows);
  console.log(
    `(best of ${ROUNDS} interleaved rounds of ${(BUDGET_MS / ROUNDS).toFixed(0)} ms per contender, after ${WARMUP_BATCHES} warm-up batches and ${(BUDGET_MS / 3).toFixed(0)} ms more;` +
      ` descent TS kernels = the TypeScript path, zero-skipping on; GFLOP/s counts ${(flopsPerSample(model) / 1e6).toFixed(2)} MFLOP per sample)`,
  );
}

/** LSTM and a transformer block: descent on 1 and 2 threads against tfjs-wasm and tfjs-cpu on the same weights and batches, Adam. */
async function sequenceSection(executor: KernelExecutor): Promise<void> {
  const rows: (string | number)[][] = [];
  const learningRate = LEARNING_RATE.adam;
  const config: OptimizerConfig = { type: "adam", learningRate };
  const onBackend = (backend: TfBackend) => () => useBackend(backend);
  const onWasmKernels = async () => void useKernelPath("wasm");
  const rowsOf: [string, ModelSpec, number, (backend: TfBackend, data: BenchData) => TrainingStep | Promise<TrainingStep>][] = [
    ["LSTM 64 units, 32 steps x 16 features (tfjs-layers LSTM)", LSTM_SPEC, 64, (_backend, data) => tfjsLayersStep(LSTM_SPEC, SEED, data, tfOptimizer("adam", learningRate))],
    ["transformer block, 32 steps x 64, 4 heads (tfjs ops)", TRANSFORMER_SPEC, 32, (_backend, data) => tfjsTransformerStep(initialWeights(TRANSFORMER_SPEC, SEED), data, tfOptimizer("adam", learningRate))],
  ];
  for (const [name, spec, batchSize, tfjsStep] of rowsOf) {
    const size = spec.inputShape.reduce((a, b) => a * b, 1);
    const data = denseRandomSet(`sequences ${spec.inputShape.join(" x ")}`, 4096, size, 10);
    const contenders: Contender[] = [
      { name: "descent 1T", select: onWasmKernels, make: () => descentStep(spec, SEED, data, config, undefined) },
      { name: "descent 2T", select: onWasmKernels, make: () => descentStep(spec, SEED, data, config, executor) },
      { name: "tfjs-wasm", select: onBackend("wasm"), make: () => tfjsStep("wasm", data) },
      { name: "tfjs-cpu", select: onBackend("cpu"), make: () => tfjsStep("cpu", data) },
    ];
    const { samplesPerSecond, warmUpLoss } = await race(contenders, data, batchSize, { budgetMs: BUDGET_MS, rounds: ROUNDS, warmUpBatches: WARMUP_BATCHES });
    const [one, two, wasm, cpu] = samplesPerSecond;
    const bestTfjs = Math.max(wasm, cpu);
    rows.push([`${name}, Adam, batch ${batchSize}`, one.toFixed(0), two.toFixed(0), wasm.toFixed(0), cpu.toFixed(0), ((one * trainingFlopsPerSample(spec)) / 1e9).toFixed(1), ratio(one, bestTfjs), ratio(two, bestTfjs), `${warmUpLoss[0].toFixed(4)} / ${warmUpLoss[2].toFixed(4)}`]);
  }
  printTable("Sequence models (samples/s)", ["model, optimizer, batch", "descent 1 thread", "descent 2 threads", "tfjs-wasm", "tfjs-cpu", "descent 1T GFLOP/s", "1T / best tfjs", "2T / best tfjs", "warm-up loss descent / tfjs-wasm"], rows);
  console.log(`(same timing as the tables above; GFLOP/s counts ${TRAINING_FLOPS_FACTOR}x the forward FLOPs that /v1/models reports per sample)`);
}

function sizesOf(model: BenchModel): number[] {
  return [model.spec.inputShape[0], ...model.spec.layers.map((layer) => (layer.type === "dense" ? layer.units : NaN))];
}

function ratio(ours: number, theirs: number): string {
  return Number.isFinite(ours / theirs) ? `${(ours / theirs).toFixed(2)}x` : "-";
}

/**
 * Heap after the first epoch (graphs and optimizer state built) and after 3
 * more, inside one fit(), and how many garbage collections ran meanwhile:
 * steady-state training should allocate (almost) nothing per batch.
 */
async function heapAcrossEpochs(data: BenchData): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const batchSize of [32, 256]) {
    const model = createModel(MNIST_MLP.spec, 3);
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
