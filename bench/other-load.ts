import { cpus } from "node:os";

/**
 * How busy other processes kept the machine while `work` ran, as a share of
 * all its cores (0..1): every core's busy time (os.cpus(), 10 ms ticks) minus
 * this process's own CPU time. Two threads can only be twice as fast as one
 * on cores nobody else is using, so the 2-thread figures print it beside them.
 */
export async function withOtherLoad<T>(work: () => T | Promise<T>): Promise<{ result: T; otherLoad: number }> {
  const busyBefore = busyMs();
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const elapsedMs = performance.now() - started;
  const own = process.cpuUsage(ownBefore);
  const others = busyMs() - busyBefore - (own.user + own.system) / 1000;
  return { result, otherLoad: Math.min(1, Math.max(0, others / (elapsedMs * cpus().length))) };
}

function busyMs(): number {
  let busy = 0;
  for (const { times } of cpus()) busy += times.user + times.nice + times.sys + times.irq;
  return busy;
}

export function percent(share: number): string {
  return `${(100 * share).toFixed(0)}%`;
}
