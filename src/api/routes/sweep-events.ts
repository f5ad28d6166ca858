import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { SweepService } from "../../services/sweeps.js";
import { IdParams } from "../../spec/common.js";
import type { SweepView } from "../../spec/sweep.js";
import { openStreams } from "../open-streams.js";
import { problems } from "../schemas.js";

// GET /v1/sweeps/:id/events: a sweep followed live. A sweep's state is its
// trials' jobs, so the stream reads the sweep again every POLL_MS and sends
// what changed: the whole sweep first, then each trial whose state moved,
// then `done` once the sweep has ended.

const POLL_MS = 500;
/** Streams one project may hold open on this process: each reads Postgres twice a second. */
const MAX_PER_PROJECT = 20;

const description = `Server-Sent Events. First \`sweep\` (the whole sweep, as GET /v1/sweeps/{id}), then a \`trial\` event
whenever a trial appears or its status, metric or epochs change (\`{number, jobId, parameters, status, metric, epochs, error}\`),
a \`best\` event when the best trial changes, and \`done\` (\`{status, best, epochsTrained}\`) when the sweep has ended.
The sweep is read every ${POLL_MS} ms; a reconnecting client starts again from a \`sweep\` event (no Last-Event-ID replay). Comment lines are heartbeats.`;

const example = [
  'event: sweep\ndata: {"id":"swp_01hx...","status":"running","trials":[...],...}\n',
  'event: trial\ndata: {"number":2,"jobId":"job_01hx...","status":"running","metric":0.41,"epochs":3,...}\n',
  'event: done\ndata: {"status":"completed","best":{"jobId":"job_01hx...","metric":0.05,...},"epochsTrained":120}\n\n',
].join("\n");

export const sweepEventRoutes: FastifyPluginAsyncTypebox<{ sweeps: SweepService }> = async (app, { sweeps }) => {
  const streams = openStreams(app, { maxPerProject: MAX_PER_PROJECT, what: "sweep streams" });

  app.get(
    "/v1/sweeps/:id/events",
    {
      sse: { kind: "only", heartbeat: true },
      schema: {
        operationId: "streamSweepEvents",
        tags: ["sweeps"],
        summary: "Follow a sweep live (Server-Sent Events)",
        description,
        params: IdParams,
        response: { 200: { description: "An event stream.", content: { "text/event-stream": { schema: { type: "string" }, example } } }, ...problems(401, 404, 429) },
      },
    },
    async (request, reply) => {
      let sweep: SweepView = await sweeps.get(request.projectId, request.params.id);
      const held = streams.acquire(request.projectId);
      reply.sse.onClose(() => held.abort());
      try {
        await reply.sse.send({ event: "sweep", data: sweep });
        const seen = new Map(sweep.trials.map((t) => [t.number, JSON.stringify(t)]));
        let best = JSON.stringify(sweep.best);
        while (sweep.status === "running" && !held.signal.aborted) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
          if (held.signal.aborted) break;
          sweep = await sweeps.get(request.projectId, request.params.id);
          for (const trial of sweep.trials) {
            const state = JSON.stringify(trial);
            if (seen.get(trial.number) === state) continue;
            seen.set(trial.number, state);
            await reply.sse.send({ event: "trial", data: trial });
          }
          if (JSON.stringify(sweep.best) !== best) {
            best = JSON.stringify(sweep.best);
            await reply.sse.send({ event: "best", data: sweep.best });
          }
        }
        if (!held.signal.aborted) await reply.sse.send({ event: "done", data: { status: sweep.status, best: sweep.best, epochsTrained: sweep.epochsTrained } });
      } finally {
        held.release();
      }
    },
  );
};
