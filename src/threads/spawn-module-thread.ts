import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts a worker thread on an ES module. Compiled, the entry is plain
 * JavaScript and runs as is. From sources (.ts under tsx or vitest) the
 * thread must register tsx's loader itself: Node 20 carries neither the
 * parent's --import hooks nor an `--import` in `execArgv` into worker threads.
 */
export function spawnModuleThread(entry: URL, options: Omit<WorkerOptions, "eval"> = {}): Worker {
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, options);
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
