// The OpenAPI document as generators want it: every schema with a `title`
// (Job, Problem, ModelSpec, DenseLayer, ...) moves to components.schemas
// under that name and is referenced with $ref, instead of being inlined at
// every use (the Problem schema was inlined 117 times). The routes keep
// their inline schemas for validation; only the document changes.

type Json = Record<string, unknown>;

const NAME = /^[A-Z][A-Za-z0-9]*$/;
const SCHEMA_LISTS = ["oneOf", "anyOf", "allOf", "prefixItems"] as const;
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs"] as const;
const SCHEMA_SLOTS = ["items", "additionalProperties", "not", "if", "then", "else", "contains"] as const;

export class SchemaNameConflict extends Error {}

/** Returns a copy of `document` with titled schemas as components; throws when one title names two different schemas. */
export function extractNamedSchemas(document: Json): Json {
  const components: Record<string, Json> = { ...((document.components as Json | undefined)?.schemas as Record<string, Json> | undefined) };
  const canonical = new Map<string, string>();

  function visit(schema: unknown): unknown {
    if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
    const node: Json = { ...(schema as Json) };
    for (const key of SCHEMA_LISTS) if (Array.isArray(node[key])) node[key] = (node[key] as unknown[]).map(visit);
    for (const key of SCHEMA_MAPS) {
      if (node[key] && typeof node[key] === "object") node[key] = Object.fromEntries(Object.entries(node[key] as Json).map(([name, value]) => [name, visit(value)]));
    }
    for (const key of SCHEMA_SLOTS) if (node[key] && typeof node[key] === "object") node[key] = Array.isArray(node[key]) ? (node[key] as unknown[]).map(visit) : visit(node[key]);
    addDiscriminatorMapping(node);
    const title = node.title;
    if (typeof title !== "string" || !NAME.test(title)) return node;
    const text = JSON.stringify(node);
    const known = canonical.get(title);
    if (known !== undefined && known !== text) throw new SchemaNameConflict(`two different schemas are titled ${title}; give one of them another title`);
    canonical.set(title, text);
    components[title] = node;
    return { $ref: `#/components/schemas/${title}` };
  }

  /** A discriminator over $ref'd branches gets the mapping from each tag value to its component. */
  function addDiscriminatorMapping(node: Json): void {
    const discriminator = node.discriminator as { propertyName?: string; mapping?: Record<string, string> } | undefined;
    const branches = node.oneOf as Json[] | undefined;
    if (!discriminator?.propertyName || !Array.isArray(branches)) return;
    const mapping: Record<string, string> = {};
    for (const branch of branches) {
      const ref = branch.$ref as string | undefined;
      const component = ref ? components[ref.slice("#/components/schemas/".length)] : undefined;
      const tag = (component?.properties as Json | undefined)?.[discriminator.propertyName] as { const?: unknown; enum?: unknown[] } | undefined;
      const value = tag?.const ?? tag?.enum?.[0];
      if (ref && typeof value === "string") mapping[value] = ref;
    }
    if (Object.keys(mapping).length === branches.length) node.discriminator = { ...discriminator, mapping };
  }

  const paths = Object.fromEntries(
    Object.entries((document.paths ?? {}) as Record<string, Json>).map(([path, operations]) => [
      path,
      Object.fromEntries(Object.entries(operations).map(([method, operation]) => [method, visitOperation(operation as Json)])),
    ]),
  );

  function visitOperation(operation: Json): Json {
    const out: Json = { ...operation };
    if (Array.isArray(out.parameters)) out.parameters = (out.parameters as Json[]).map((parameter) => ({ ...parameter, schema: visit(parameter.schema) }));
    if (out.requestBody) out.requestBody = visitContent(out.requestBody as Json);
    if (out.responses) out.responses = Object.fromEntries(Object.entries(out.responses as Json).map(([status, response]) => [status, visitContent(response as Json)]));
    return out;
  }

  function visitContent(holder: Json): Json {
    const content = holder.content as Record<string, Json> | undefined;
    if (!content) return holder;
    return { ...holder, content: Object.fromEntries(Object.entries(content).map(([type, media]) => [type, { ...media, schema: visit(media.schema) }])) };
  }

  const sorted = Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b)));
  return { ...document, paths, components: { ...(document.components as Json | undefined), schemas: sorted } };
}
