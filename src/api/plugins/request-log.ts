// One log line per request, at its end, with the request's method and URL:
// Fastify's default writes one more when the request arrives, which doubles
// the logging of every request for nothing a reader of the end line lacks.

import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, "request errored");
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, "request completed");
  }
}
