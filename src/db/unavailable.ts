// Which database errors mean "Postgres is unavailable right now" (down,
// restarting, unreachable, too slow, out of connections) rather than "this
// query is wrong": the API answers those with 503 and Retry-After, and the
// client may simply retry.

/** Prisma's own codes for an unreachable or overloaded server. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** Driver adapter error kinds (@prisma/driver-adapter-utils) that are about the connection, not the query. */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/**
 * SQLSTATEs: connection exceptions (08), operator intervention (57: shutdown,
 * cannot connect now, statement timeout / query cancelled), too many
 * connections, lock timeout.
 */
const SQLSTATE = /^(?:08|57)|^53300$|^55P03$/;
/** node-postgres' own errors: pool and query timeouts, a connection cut. */
const PG_MESSAGES = /timeout exceeded when trying to connect|Query read timeout|Connection terminated|connection timeout|Client has encountered a connection error/i;
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

export function isPostgresUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const { code, message, meta } = current as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } } };
    if (typeof code === "string" && (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || SQLSTATE.test(code))) return true;
    const cause = meta?.driverAdapterError?.cause;
    if (cause?.kind && ADAPTER_KINDS.has(cause.kind)) return true;
    if (cause?.kind === "postgres" && cause.originalCode && SQLSTATE.test(cause.originalCode)) return true;
    if (typeof message === "string" && PG_MESSAGES.test(message)) return true;
  }
  return false;
}
