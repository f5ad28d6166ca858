import type { FastifyInstance } from "fastify";
import { DescentError, pointerSegment } from "../../errors.js";

const NUL = "\u0000";

/**
 * Postgres text cannot hold a NUL character, so a name, label or id with one
 * would fail at the insert as a 500. Refuse it up front, naming where it is:
 * JSON bodies (any key or string), query strings and path parameters.
 */
export function installNulGuard(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, text, done) => {
    parseJson(request, text as string, (error, body) => {
      // In JSON text a NUL can only be written as the escape \u0000: look only when one is there.
      if (error || !(text as string).includes("\\u0000")) return done(error, body);
      const path = pathOfNul(body);
      if (path === null) return done(null, body);
      done(new DescentError("VALIDATION_FAILED", `${path || "(body)"}: contains a NUL character`, [{ path, message: "contains a NUL character" }]), undefined);
    });
  });

  app.addHook("preValidation", async (request) => {
    for (const [part, values] of [["params", request.params], ["querystring", request.query]] as const) {
      for (const [name, value] of Object.entries((values ?? {}) as Record<string, unknown>)) {
        if ((typeof value === "string" && value.includes(NUL)) || name.includes(NUL)) {
          throw new DescentError("VALIDATION_FAILED", `${part}/${name}: contains a NUL character`, [{ path: `${part}/${name}`, message: "contains a NUL character" }]);
        }
      }
    }
  });
}

/** The JSON Pointer of the first key or string holding a NUL, or null. */
export function pathOfNul(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, ""]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === "string") {
      if (current.includes(NUL)) return path;
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], `${path}/${i}`]);
    } else if (current !== null && typeof current === "object") {
      for (const key of Object.keys(current).reverse()) {
        const child = `${path}/${pointerSegment(key)}`;
        if (key.includes(NUL)) return child;
        stack.push([(current as Record<string, unknown>)[key], child]);
      }
    }
  }
  return null;
}
