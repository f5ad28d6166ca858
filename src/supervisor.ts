// `npm start` runs the API and a worker as child processes. A child that
// dies (kill -9, out of memory) is started again with a growing delay, and
// the other keeps serving: one crashed training process must not take the
// API down. Everything stops on SIGINT/SIGTERM, or when a child keeps dying.

import { spawn, type ChildProcess } from "node:child_process";

export interface SupervisedChild {
  /** "api", "worker": used in messages. */
  name: string;
  /** The command's arguments after node's own (e.g. ["--import", "tsx", "src/server.ts"]). */
  args: string[];
}

export interface SupervisorOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Restarts a child may need within `windowMs` before the supervisor gives up. @defaultValue 5 */
  maxRestarts?: number;
  /** @defaultValue 60000 */
  windowMs?: number;
  /** First restart delay, doubled at each restart within the window, at most 30 s. @defaultValue 1000 */
  initialDelayMs?: number;
  /** One line for the user. */
  say(line: string): void;
  /** Called once everything has stopped. */
  onStopped(exitCode: number): void;
}

export function supervise(children: SupervisedChild[], options: SupervisorOptions) {
  const { maxRestarts = 5, windowMs = 60_000, initialDelayMs = 1_000 } = options;
  const running = new Map<string, ChildProcess>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;

  function start(child: SupervisedChild, restarts: number[]): void {
    const process_ = spawn(process.execPath, child.args, { cwd: options.cwd, stdio: "inherit", env: options.env });
    running.set(child.name, process_);
    process_.on("exit", (code, signal) => {
      running.delete(child.name);
      if (stopping) {
        if (running.size === 0) options.onStopped(stopExitCode);
        return;
      }
      const now = Date.now();
      const recent = [...restarts.filter((at) => now - at < windowMs), now];
      const how = signal ?? `code ${code}`;
      if (recent.length > maxRestarts) {
        options.say(`the ${child.name} exited (${how}) ${recent.length} times within ${Math.round(windowMs / 1000)} s; stopping`);
        stop(1);
        return;
      }
      const delay = Math.min(30_000, initialDelayMs * 2 ** (recent.length - 1));
      options.say(`the ${child.name} exited (${how}); restarting it in ${(delay / 1000).toFixed(delay < 1000 ? 1 : 0)} s (restart ${recent.length} of at most ${maxRestarts} within ${Math.round(windowMs / 1000)} s)`);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) start(child, recent);
      }, delay);
      timers.add(timer);
    });
    options.say(`${child.name} started (pid ${process_.pid})`);
  }

  let stopExitCode = 0;
  function stop(exitCode: number): void {
    if (stopping) return;
    stopping = true;
    stopExitCode = exitCode;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    if (running.size === 0) return options.onStopped(exitCode);
    for (const child of running.values()) child.kill("SIGTERM");
  }

  for (const child of children) start(child, []);
  return { stop, pids: () => Object.fromEntries([...running].map(([name, child]) => [name, child.pid])) };
}
