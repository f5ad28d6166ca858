import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface ServiceProcess {
  process: ChildProcess;
  /** Everything the process printed so far, to show when a test fails. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a TypeScript entry (src/server.ts, workers/training.ts) as a real Node process. */
export function startProcess(entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    // Keys are tested in test/api/auth.test.ts; elsewhere requests act in the default project.
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "warn", DESCENT_AUTH: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  return {
    process: child,
    output: () => output,
    stop: (signal = "SIGTERM") =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill(signal);
      }),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  what?: string;
  /**
   * Errors the probe may throw while the condition does not hold yet (e.g.
   * `connectionRefused` while a server starts); they are retried. Any other
   * error fails the wait at once, with that error.
   */
  expectedError?: (error: unknown) => boolean;
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes; a probe that throws an unexpected error ends the wait. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, { timeoutMs = 30_000, intervalMs = 100, what = "condition", expectedError = () => false }: WaitForOptions = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (!expectedError(error)) throw new Error(`waiting for ${what}, the probe failed: ${describeError(error)}`, { cause: error });
      lastError = error;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${describeError(lastError)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** True for a refused TCP connection (fetch's "fetch failed" and ioredis' errors carry it as the code of a cause). */
export function connectionRefused(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if ((e as NodeJS.ErrnoException).code === "ECONNREFUSED") return true;
  return false;
}

function describeError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${String(error)}${cause}`;
}
