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
  for (const error of closestBranches(errors)) {
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

/**
 * A `oneOf` (or `anyOf`) of forms without a tag (a job's model: a spec or a transfer)
 * fails with every form's errors. Keep those of the form with the fewest,
 * the one the client meant (the others fail on its fields as unknown), and
 * drop the "must match exactly one schema" summary.
 */
function closestBranches(errors: FastifySchemaValidationError[]): FastifySchemaValidationError[] {
  const unions = errors.filter((error) => error.keyword === "oneOf" || error.keyword === "anyOf");
  let kept = errors.filter((error) => error.keyword !== "oneOf" && error.keyword !== "anyOf");
  for (const union of unions) {
    const branchOf = (error: FastifySchemaValidationError) => {
      if (!error.schemaPath.startsWith(`${union.schemaPath}/`)) return null;
      return Number(error.schemaPath.slice(union.schemaPath.length + 1).split("/")[0]);
    };
    const counts = new Map<number, number>();
    for (const error of kept) {
      const branch = branchOf(error);
      if (branch === null) continue;
      // A form the value is not even the type of (an array for an object form) comes last, however few its errors.
      const wrongType = error.keyword === "type" && error.instancePath === union.instancePath;
      counts.set(branch, (counts.get(branch) ?? 0) + (wrongType ? 1_000_000 : 1));
    }
    if (counts.size === 0) continue;
    const [closest] = [...counts].sort(([a, x], [b, y]) => x - y || a - b)[0];
    kept = kept.filter((error) => {
      const branch = branchOf(error);
      return branch === null || branch === closest;
    });
  }
  return kept;
}

/** The values a tagged union accepts for its tag, read from the union's schema. */
function knownTags(schema: unknown, tag: string): string[] {
  const variants = (schema as { oneOf?: { properties?: Record<string, { const?: unknown }> }[] } | undefined)?.oneOf ?? [];
  return variants.map((variant) => variant.properties?.[tag]?.const).filter((value): value is string => typeof value === "string");
}
