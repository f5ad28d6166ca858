/**
 * Both cores for the engine: a KernelExecutor over worker threads and shared
 * memory, passed to fit / createTrainer as `executor`. Outside the engine,
 * which stays free of node: imports.
 */
export { createThreadExecutor, type ThreadExecutor, type ThreadExecutorOptions } from "./thread-executor.js";
