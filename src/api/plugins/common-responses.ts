import type { FastifyInstance, RouteOptions } from "fastify";
import { errorRegistry, problemType, type ErrorCode } from "../../errors.js";
import { problems } from "../schemas.js";
import { accessOf } from "./auth.js";

const codeOfStatus: Record<number, ErrorCode> = Object.fromEntries(
  Object.entries(errorRegistry)
    .filter(([code]) => code !== "INVALID_SPEC")
    .map(([code, { status }]) => [status, code as ErrorCode]),
);

/**
 * Documents, on every route registered after it, the problem+json responses
 * that come from cross-cutting plugins rather than from the route itself:
 * 401/403 from auth and 429 from the rate limit (on every route that is not
 * public), 400 from validating path, query or header parameters.
 * A route's own declaration of a status wins. Every problem+json response
 * without an example gets one, so clients see the shape at a glance.
 */
export function documentCommonResponses(app: FastifyInstance): void {
  app.addHook("onRoute", (route: RouteOptions) => {
    const schema = route.schema as { response?: Record<string, any>; params?: unknown; querystring?: unknown; headers?: unknown; hide?: boolean } | undefined;
    if (!schema?.response || schema.hide) return;
    const keyed = accessOf(route.config as { access?: "public" }) !== "public";
    const statuses = [
      ...(keyed ? [401, 403, 429] : []),
      ...(schema.params || schema.querystring || schema.headers ? [400] : []),
    ].filter((status) => !(String(status) in schema.response!));
    schema.response = { ...schema.response, ...problems(...statuses) };
    for (const [status, response] of Object.entries(schema.response)) {
      const media = response?.content?.["application/problem+json"];
      if (media && media.example === undefined) schema.response[status] = { ...response, content: { ...response.content, "application/problem+json": { ...media, example: exampleProblem(Number(status)) } } };
    }
  });
}

function exampleProblem(status: number) {
  const code = codeOfStatus[status] ?? "INTERNAL";
  const { title } = errorRegistry[code];
  if (code === "VALIDATION_FAILED") {
    return { type: problemType(code), title, status, detail: "/training/epochs: must be >= 1", errors: [{ path: "/training/epochs", message: "must be >= 1" }] };
  }
  return { type: problemType(code), title, status, detail: exampleDetails[code] ?? title };
}

const exampleDetails: Partial<Record<ErrorCode, string>> = {
  UNAUTHORIZED: "send an API key: Authorization: Bearer <key>",
  FORBIDDEN: "the admin key works on admin routes only; use a project's API key",
  NOT_FOUND: "job job_01jf3k2m9q8r7s6t5v4w does not exist",
  CONFLICT: "job job_01jf3k2m9q8r7s6t5v4w has already ended (succeeded)",
  RATE_LIMITED: "Rate limit exceeded, retry in 1 second",
  UNAVAILABLE: "Redis is unavailable; nothing was queued, retry",
};
