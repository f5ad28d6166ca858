import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts a worker thread on a module next to the caller. Compiled, the entry
 * is plain JavaScript; from sources (tsx, vitest) the thread registers tsx's
 * loader itself, as Node 20 does not carry the parent's loader hooks into
 * worker threads (the same as src/queue/training-thread.ts does).
 */
export function spawnWorker(entry: URL, options: WorkerOptions): Worker {
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, options);
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
