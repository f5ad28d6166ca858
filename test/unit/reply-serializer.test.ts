import fastJson from "fast-json-stringify";
import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import { withoutUnions } from "../../src/api/plugins/serialization.js";

describe("the reply serializer's schemas", () => {
  it("leaves unions to JSON.stringify and keeps the rest of the schema, with its property filter", () => {
    const Layer = Type.Union([Type.Object({ type: Type.Literal("dense"), units: Type.Integer() }), Type.Object({ type: Type.Literal("dropout"), rate: Type.Number() })]);
    const View = Type.Object({
      id: Type.String(),
      anyOf: Type.Integer({ description: "a property that happens to be named like the keyword" }),
      layers: Type.Array(Layer),
      error: Type.Union([Type.Object({ code: Type.String() }), Type.Null()], { description: "why it failed" }),
    });
    const stripped = withoutUnions(View) as { properties: Record<string, Record<string, unknown>> };
    expect(stripped.properties.anyOf).toMatchObject({ type: "integer" });
    expect(stripped.properties.layers.items).toEqual({});
    expect(stripped.properties.error).toEqual({ description: "why it failed" });

    const serialize = fastJson(stripped as Parameters<typeof fastJson>[0]);
    const value = { id: "job_1", anyOf: 3, layers: [{ type: "dense", units: 8 }, { type: "dropout", rate: 0.5 }], error: null, internal: "not in the schema" };
    expect(JSON.parse(serialize(value))).toEqual({ id: "job_1", anyOf: 3, layers: value.layers, error: null });
  });

  it("leaves an intersection with a union to JSON.stringify too, and keeps a plain intersection", () => {
    const withUnion = Type.Intersect([Type.Union([Type.Object({ a: Type.Number() }), Type.Object({ b: Type.Number() })]), Type.Object({ c: Type.Number() })]);
    expect(withoutUnions(withUnion)).toEqual({});
    const plain = Type.Intersect([Type.Object({ a: Type.Number() }), Type.Object({ c: Type.Number() })]);
    const serialize = fastJson(withoutUnions(plain) as Parameters<typeof fastJson>[0]);
    expect(JSON.parse(serialize({ a: 1, c: 2 }))).toEqual({ a: 1, c: 2 });
  });
});
