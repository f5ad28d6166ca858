import { Problem } from "../spec/common.js";

const descriptions: Record<number, string> = {
  400: "The request is not valid; `errors` names each bad field with a JSON Pointer.",
  404: "No such resource.",
  409: "The request conflicts with the resource's state.",
  413: "The body is larger than this route accepts.",
  415: "The body's content type is not accepted.",
  401: "No API key, or an unknown or revoked one.",
  403: "This key may not use this route.",
  422: "The request exceeds a limit of this service (parameters, compute budget), or the model cannot be exported in that format; `errors` names the field or layer.",
  429: "Too many requests for this key, or too many active jobs for this project; see Retry-After when present.",
  503: "A backing service (Postgres or Redis) is unavailable; nothing was changed, retry.",
};

/** The problem+json responses a route can give, for its schema and OpenAPI entry. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: descriptions[status] ?? "Error.", content: { "application/problem+json": { schema: Problem } } },
    ]),
  );
}

/** A JSON response schema with its description, for the OpenAPI entry. */
export function json<T extends object>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
