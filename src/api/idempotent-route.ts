import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Idempotency } from "../services/idempotency.js";

export const IdempotencyHeaders = Type.Object({
  "idempotency-key": Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: "Makes the POST safe to retry: the same key and body return the first answer; the same key with another body is a 409. Kept 24 hours.",
    }),
  ),
});

/**
 * Sends `perform`'s answer, through the idempotency store when the request
 * has an Idempotency-Key. A replayed answer says so in `Idempotency-Replayed`.
 */
export async function sendIdempotent(
  idempotency: Idempotency,
  request: FastifyRequest,
  reply: FastifyReply,
  perform: () => Promise<{ statusCode: number; body: { id: string } }>,
  location: (id: string) => string,
  /** What identifies the request for its key; the body, unless it was a stream. */
  identity: unknown = request.body,
) {
  const key = request.headers["idempotency-key"];
  const answer =
    typeof key === "string"
      ? await idempotency.run(request.projectId, request.routeOptions.url ?? request.url, key, identity, perform)
      : { ...(await perform()), replayed: false };
  const body = answer.body as { id: string };
  if (answer.replayed) reply.header("idempotency-replayed", "true");
  return reply.code(answer.statusCode).header("location", location(body.id)).send(body);
}
