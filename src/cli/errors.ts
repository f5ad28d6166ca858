import { DescentApiError } from "../sdk/index.js";

/** One line that says what went wrong and what to do, for any failure of a command. */
export function describeFailure(error: unknown, { baseUrl, apiKey }: { baseUrl: string; apiKey: string | undefined }): string {
  if (error instanceof DescentApiError) {
    if (error.status === 401) {
      return apiKey
        ? `the server at ${baseUrl} refused the API key in DESCENT_API_KEY (401: ${error.problem?.detail ?? "unauthorized"})`
        : `the server at ${baseUrl} needs an API key: set DESCENT_API_KEY (401)`;
    }
    const fields = error.problem?.errors?.map((e) => `${e.path}: ${e.message}`).join("; ");
    return fields && !error.message.includes(fields) ? `${error.message} (${fields})` : error.message;
  }
  const code = networkCode(error);
  if (code) return `cannot reach the descent server at ${baseUrl} (${code}): is it running? Set DESCENT_URL to its address`;
  if (error instanceof SyntaxError) return `invalid JSON: ${error.message}`;
  if (error instanceof Error && "code" in error && error.code === "ENOENT") return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** ECONNREFUSED, ENOTFOUND...: fetch reports them as a TypeError whose cause carries the code. */
function networkCode(error: unknown): string | undefined {
  if (!(error instanceof TypeError)) return undefined;
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (code) return code;
  return error.message === "fetch failed" ? ((cause as { message?: string } | undefined)?.message ?? "fetch failed") : undefined;
}
