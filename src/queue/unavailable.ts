// Which errors mean "Redis is unavailable right now" (ioredis with no
// offline queue fails fast instead of waiting): the API answers 503.

const REDIS_MESSAGES = /Connection is closed|Stream isn't writeable|enableOfflineQueue|max retries per request|ECONNREFUSED|Connection in subscriber mode/i;

export function isRedisUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const { name, message } = current as { name?: unknown; message?: unknown };
    if (name === "MaxRetriesPerRequestError") return true;
    if (typeof message === "string" && REDIS_MESSAGES.test(message)) return true;
  }
  return false;
}
