import type { FastifySchemaValidationError } from "fastify/types/schema.js";
import { pointerSegment, type FieldError } from "../../errors.js";

const MAX_ERRORS = 20;

/**
 * Ajv errors -> [{path, message}] with `path` a JSON Pointer to the bad field
 * itself: a missing or unknown property names that property, not its parent.
 * The branches of a tagged union that did not apply are left out.
 */
export function validationErrorsToFieldErrors(errors: FastifySchemaValidationError[], context: string): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // "must match then/else schema" only repeats the branch's own errors.
    if (error.keyword === "if") continue;
    const params = error.params as Record<string, unknown>;
    let path = error.instancePath;
    let message = error.message ?? "is not valid";
    if (error.keyword === "required") path += `/${pointerSegment(String(params.missingProperty))}`;
    if (error.keyword === "additionalProperties") {
      path += `/${pointerSegment(String(params.additionalProperty))}`;
      message = "is not a known property";
    }
    if (error.keyword === "discriminator" && params.tagValue !== undefined) {
      path += `/${pointerSegment(String(params.tag))}`;
      const known = knownTags((error as { parentSchema?: unknown }).parentSchema, String(params.tag));
      message = `unknown value ${JSON.stringify(params.tagValue)}${known.length > 0 ? `; known: ${known.join(", ")}` : ""}`;
    }
    if (error.keyword === "enum" || error.keyword === "const") {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [params.allowedValue];
      message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    if (context !== "body") path = `${context}${path || ""}`;
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
    if (out.length >= MAX_ERRORS) break;
  }
  return out;
}

/** The values a tagged union accepts for its tag, read from the union's schema. */
function knownTags(schema: unknown, tag: string): string[] {
  const variants = (schema as { oneOf?: { properties?: Record<string, { const?: unknown }> }[] } | undefined)?.oneOf ?? [];
  return variants.map((variant) => variant.properties?.[tag]?.const).filter((value): value is string => typeof value === "string");
}
