// Replies are serialized by fast-json-stringify from their route's response
// schema, as Fastify does by default, with one change: a union (anyOf/oneOf)
// becomes a plain JSON.stringify of its value. fast-json-stringify picks a
// union's branch at every reply by validating the value against each branch
// with ajv; a job's model has a union per layer and per nullable field, which
// cost about 0.4 ms of CPU per job reply (V8 profile of `npm run bench:service`),
// a third of POST /v1/jobs' whole cost. The OpenAPI document keeps the unions:
// only the serializer's copy of the schema changes. Values under a union are
// views the services build field by field, so nothing unlisted leaks.

import fastJson from "fast-json-stringify";
import type { FastifyInstance } from "fastify";

type Schema = Record<string, unknown>;

export function installSerializer(app: FastifyInstance): void {
  app.setSerializerCompiler(({ schema }) => fastJson(withoutUnions(schema) as Parameters<typeof fastJson>[0]));
}

/** A copy of `schema` with every union (and intersection with a union) replaced by an untyped schema, which JSON.stringify serializes. */
export function withoutUnions(schema: unknown): unknown {
  if (schema === null || typeof schema !== "object") return schema;
  if (Array.isArray(schema)) return schema.map(withoutUnions);
  const node = schema as Schema;
  if (isUnion(node) || (Array.isArray(node.allOf) && node.allOf.some(isUnion))) return node.description === undefined ? {} : { description: node.description };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === "properties" || key === "patternProperties" ? mapValues(value as Schema) : withoutUnions(value)]));
}

/** A union, or an intersection with one (fast-json-stringify merges allOf's members, and an untyped member would drop the properties under it). */
function isUnion(node: unknown): boolean {
  return node !== null && typeof node === "object" && (Array.isArray((node as Schema).anyOf) || Array.isArray((node as Schema).oneOf));
}

function mapValues(properties: Schema): Schema {
  return Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, withoutUnions(value)]));
}
