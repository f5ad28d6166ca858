import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DescentError, errorRegistry, problemType, type ErrorCode, type FieldError } from "../../errors.js";
import { isPostgresUnavailable } from "../../db/unavailable.js";
import { isRedisUnavailable } from "../../queue/unavailable.js";
import { validationErrorsToFieldErrors } from "./validation-errors.js";

/** Seconds a client is asked to wait after a 503 that names no better time. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

interface ProblemBody {
  /** Sent as the Retry-After header, not in the body. */
  retryAfterSeconds?: number;
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

/**
 * Every error leaves as application/problem+json (RFC 9457). Client errors
 * keep their message; server errors say only that something failed and give
 * the request id to quote, never a stack trace or an internal message.
 */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | DescentError, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status === 503) request.log.warn({ err: error }, problem.detail);
    else if (problem.status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ status: problem.status, code: (error as FastifyError).code }, problem.detail);
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      type: problemType("NOT_FOUND"),
      title: errorRegistry.NOT_FOUND.title,
      status: 404,
      detail: `no route for ${request.method} ${request.url.split("?")[0]}`,
    }),
  );
}

export function sendProblem(reply: FastifyReply, { retryAfterSeconds, ...problem }: ProblemBody) {
  if (retryAfterSeconds !== undefined) reply.header("retry-after", String(retryAfterSeconds));
  return reply.code(problem.status).type("application/problem+json").send(problem);
}

function toProblem(error: FastifyError | DescentError, request: FastifyRequest): ProblemBody {
  if (error instanceof DescentError) {
    const problem = fromCode(error.code, error.message, error.errors);
    const retryAfterSeconds = error.retryAfterSeconds ?? (problem.status === 503 ? UNAVAILABLE_RETRY_AFTER_SECONDS : undefined);
    return retryAfterSeconds === undefined ? problem : { ...problem, retryAfterSeconds };
  }
  if ("validation" in error && error.validation) {
    const errors = validationErrorsToFieldErrors(error.validation, error.validationContext ?? "body");
    const first = errors[0];
    return fromCode("VALIDATION_FAILED", first ? `${first.path || "(body)"}: ${first.message}` : error.message, errors);
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return fromCode("PAYLOAD_TOO_LARGE", error.message);
  if (status === 415) return fromCode("UNSUPPORTED_MEDIA_TYPE", error.message);
  if (status === 429) return fromCode("RATE_LIMITED", error.message);
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (malformed JSON, empty body, __proto__ keys) carry safe messages.
    return { type: problemType("VALIDATION_FAILED"), title: "Bad request", status, detail: error.message };
  }
  if (isPostgresUnavailable(error)) {
    return { ...fromCode("UNAVAILABLE", "the database (Postgres) is unavailable or too slow right now; retry shortly"), retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS };
  }
  if (isRedisUnavailable(error)) {
    return { ...fromCode("UNAVAILABLE", "the queue (Redis) is unavailable right now; retry shortly"), retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS };
  }
  return fromCode("INTERNAL", `the server failed to handle this request; quote request id ${request.id} when reporting it`);
}

function fromCode(code: ErrorCode, detail: string, errors?: FieldError[]): ProblemBody {
  const { status, title } = errorRegistry[code];
  return { type: problemType(code), title, status, detail, ...(errors ? { errors } : {}) };
}
