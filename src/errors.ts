// Every error a client can receive, in one registry: its HTTP status, its
// problem type and title. Services throw DescentError with a code; the API's
// error handler renders it as application/problem+json (RFC 9457).

export const errorRegistry = {
  VALIDATION_FAILED: { status: 400, title: "The request is not valid" },
  INVALID_SPEC: { status: 400, title: "The model spec does not fit the dataset" },
  UNAUTHORIZED: { status: 401, title: "Missing or invalid API key" },
  FORBIDDEN: { status: 403, title: "This key may not do that" },
  NOT_FOUND: { status: 404, title: "Not found" },
  CONFLICT: { status: 409, title: "Conflict" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "The request body is too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported media type" },
  LIMIT_EXCEEDED: { status: 422, title: "The request exceeds a limit of this service" },
  NOT_EXPORTABLE: { status: 422, title: "The model cannot be expressed in that format" },
  RATE_LIMITED: { status: 429, title: "Too many requests" },
  INTERNAL: { status: 500, title: "Internal error" },
  UNAVAILABLE: { status: 503, title: "A backing service is unavailable" },
} as const;

export type ErrorCode = keyof typeof errorRegistry;

export interface FieldError {
  /** JSON Pointer (RFC 6901) into the request body, e.g. /features/17/2 */
  path: string;
  message: string;
}

export interface DescentErrorOptions extends ErrorOptions {
  /** Sent as Retry-After (seconds) with 429 and 503 answers. */
  retryAfterSeconds?: number;
}

export class DescentError extends Error {
  readonly code: ErrorCode;
  readonly errors?: FieldError[];
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, detail: string, errors?: FieldError[], options?: DescentErrorOptions) {
    super(detail, options);
    this.name = "DescentError";
    this.code = code;
    this.errors = errors;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  get status(): number {
    return errorRegistry[this.code].status;
  }
}

/** The problem `type` URI of an error code, e.g. https://descent.dev/problems/not-found */
export function problemType(code: ErrorCode): string {
  return `https://descent.dev/problems/${code.toLowerCase().replaceAll("_", "-")}`;
}

export function notFound(kind: string, id: string): DescentError {
  return new DescentError("NOT_FOUND", `${kind} ${id} does not exist`);
}

export function invalid(path: string, message: string): DescentError {
  return new DescentError("VALIDATION_FAILED", message, [{ path, message }]);
}

/** Escape one JSON Pointer segment (RFC 6901). */
export function pointerSegment(segment: string | number): string {
  return String(segment).replaceAll("~", "~0").replaceAll("/", "~1");
}
