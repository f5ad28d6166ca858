import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { JobEventStream } from "../../services/job-event-stream.js";
import { IdParams } from "../../spec/common.js";
import { openStreams } from "../open-streams.js";
import { problems } from "../schemas.js";

const description = `Server-Sent Events. Replays the job's history from the start (or after the \`Last-Event-ID\` header),
then follows it live, and closes after the \`done\` event. Events:
- \`status\` (id): \`{status, at, message}\`, on every status change;
- \`progress\` (no id, not replayed): \`{epoch, batch, batches, loss}\`, a few times a second while training;
- \`epoch\` (id): the epoch's metrics row, as in GET /v1/jobs/{id}/metrics;
- \`change\` (id): \`{at, epoch, fields: [{path, from, to}]}\`, when PATCH /v1/jobs/{id} changes the training (applied from the next epoch boundary);
- \`done\` (id): \`{status, resultModelId?, metrics?, error?}\`, last.
Comment lines are sent as heartbeats.`;

const eventsExample = [
  'id: 12\nevent: status\ndata: {"status":"running","at":"2025-01-01T12:00:00.000Z","message":"attempt 1","attempt":1}\n',
  'event: progress\ndata: {"epoch":4,"batch":17,"batches":40,"loss":0.31}\n',
  'id: 13\nevent: epoch\ndata: {"epoch":4,"loss":0.29,"accuracy":0.91,"valLoss":0.33,"valAccuracy":0.9,"learningRate":0.001,"durationMs":412}\n',
  'id: 14\nevent: done\ndata: {"status":"succeeded","resultModelId":"mdl_01jf3k2m9q8r7s6t5v4w"}\n\n',
].join("\n");

/** One SSE route; open streams end when the server closes. `maxPerProject`: streams one project may hold open on this process. */
export const jobEventRoutes: FastifyPluginAsyncTypebox<{ stream: JobEventStream; maxPerProject: number }> = async (app, { stream, maxPerProject }) => {
  // Each open stream holds a socket, a subscription and a loop: one project must not hold them all.
  const streams = openStreams(app, { maxPerProject, what: "event streams" });

  app.get(
    "/v1/jobs/:id/events",
    {
      sse: { kind: "only", heartbeat: true },
      schema: {
        operationId: "streamJobEvents",
        tags: ["jobs"],
        summary: "Follow a job live (Server-Sent Events)",
        description,
        params: IdParams,
        headers: Type.Object({ "last-event-id": Type.Optional(Type.String({ maxLength: 32 })) }),
        response: {
          200: { description: "An event stream.", content: { "text/event-stream": { schema: { type: "string" }, example: eventsExample } } },
          204: { description: "The client has already received the job's `done` event (its Last-Event-ID): nothing more will come.", type: "null" },
          ...problems(400, 404, 429),
        },
      },
    },
    async (request, reply) => {
      if (!(await stream.open(request.projectId, request.params.id, reply.sse.lastEventId))) {
        // The client saw the `done` event: 204 tells EventSource to stop reconnecting.
        return reply.code(204).send(null);
      }
      const held = streams.acquire(request.projectId);
      reply.sse.onClose(() => held.abort());
      try {
        const events = stream.follow(request.params.id, reply.sse.lastEventId, held.signal);
        for await (const event of events) {
          await reply.sse.send({ ...(event.id ? { id: event.id } : {}), event: event.type, data: event.data });
        }
      } finally {
        held.release();
      }
    },
  );
};
