// A sweep's search space: JSON pointers into the base job ({datasetId, model,
// training}) and what each may take, checked against the base before any trial runs.

export type Distribution = "uniform" | "logUniform" | "intUniform";
export type ParameterSpec = { values: unknown[] } | { min: number; max: number; distribution: Distribution };
export type SearchSpace = Record<string, ParameterSpec>;
export type Parameters = Record<string, unknown>;

export interface SpaceError {
  path: string;
  message: string;
}

/** RFC 6901: "/a/b~1c" -> ["a", "b/c"]. */
export function parsePointer(pointer: string): string[] {
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

const escape = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

/** Where the value a pointer names lives: its parent container, or null when a step on the way is missing. */
function parentOf(root: unknown, segments: string[]): Record<string, unknown> | unknown[] | null {
  let node: unknown = root;
  for (const segment of segments.slice(0, -1)) {
    if (node === null || typeof node !== "object") return null;
    node = (node as Record<string, unknown>)[segment];
  }
  return node !== null && typeof node === "object" ? (node as Record<string, unknown>) : null;
}

/** A copy of `base` with every parameter set (objects and arrays on the way copied, the rest shared). */
export function applyParameters<T>(base: T, parameters: Parameters): T {
  const copy = structuredClone(base);
  for (const [pointer, value] of Object.entries(parameters)) {
    const segments = parsePointer(pointer);
    const parent = parentOf(copy, segments)!;
    (parent as Record<string, unknown>)[segments.at(-1)!] = value;
  }
  return copy;
}

/** What is wrong with the space, each error at its JSON pointer into the request (/parameters/<escaped pointer>). */
export function checkSearchSpace(base: unknown, space: SearchSpace, method: string): SpaceError[] {
  const errors: SpaceError[] = [];
  const entries = Object.entries(space);
  if (entries.length === 0) errors.push({ path: "/parameters", message: "name at least one parameter" });
  for (const [pointer, spec] of entries) {
    const path = `/parameters/${escape(pointer)}`;
    const segments = parsePointer(pointer);
    if (!pointer.startsWith("/model/") && !pointer.startsWith("/training/")) {
      errors.push({ path, message: "must point into /model or /training of the base job" });
      continue;
    }
    const parent = parentOf(base, segments);
    const last = segments.at(-1)!;
    if (parent === null || (Array.isArray(parent) && !(Number(last) >= 0 && Number(last) < parent.length))) {
      errors.push({ path, message: `${pointer} does not point into the base job (its parent must exist)` });
      continue;
    }
    if ("values" in spec) {
      if (method === "grid" || spec.values.length > 0) continue;
      errors.push({ path: `${path}/values`, message: "list at least one value" });
      continue;
    }
    if (method === "grid") errors.push({ path, message: "grid search takes lists of values only: give `values`" });
    if (!(spec.min < spec.max)) errors.push({ path: `${path}/max`, message: "must be greater than min" });
    if (spec.distribution === "logUniform" && !(spec.min > 0)) errors.push({ path: `${path}/min`, message: "a log-uniform range must start above 0" });
    if (spec.distribution === "intUniform" && !(Number.isInteger(spec.min) && Number.isInteger(spec.max))) errors.push({ path, message: "an integer range needs integer min and max" });
  }
  return errors;
}
