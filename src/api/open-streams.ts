import type { FastifyInstance } from "fastify";
import { DescentError } from "../errors.js";

/**
 * The event streams a route holds open on this process: at most `maxPerProject`
 * per project (each holds a socket and a loop), all ended when the server closes.
 */
export function openStreams(app: FastifyInstance, { maxPerProject, what }: { maxPerProject: number; what: string }) {
  const open = new Set<AbortController>();
  const byProject = new Map<string, number>();
  app.addHook("preClose", async () => {
    for (const controller of open) controller.abort();
  });
  return {
    /** Counts a new stream of the project (429 past the limit); `release` when it ends. */
    acquire(projectId: string): { signal: AbortSignal; abort(): void; release(): void } {
      const held = byProject.get(projectId) ?? 0;
      if (held >= maxPerProject) {
        throw new DescentError("RATE_LIMITED", `this project already follows ${held} ${what} on this server, the most it may; close one first`, undefined, { retryAfterSeconds: 5 });
      }
      byProject.set(projectId, held + 1);
      const controller = new AbortController();
      open.add(controller);
      return {
        signal: controller.signal,
        abort: () => controller.abort(),
        release() {
          open.delete(controller);
          const left = (byProject.get(projectId) ?? 1) - 1;
          if (left > 0) byProject.set(projectId, left);
          else byProject.delete(projectId);
        },
      };
    },
  };
}
