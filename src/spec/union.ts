import { Type, type TSchema, type Static, type TUnsafe } from "typebox";

/**
 * A union tagged by its `type` property, as JSON Schema `oneOf` with an
 * OpenAPI `discriminator`. Ajv (with `discriminator: true`) then reports the
 * errors of the matching branch only, and "unknown type" with the list of
 * known ones, instead of one error per branch.
 */
export function TaggedUnion<T extends TSchema[]>(variants: [...T], options: { description?: string; title?: string } = {}): TUnsafe<Static<T[number]>> {
  return TaggedBy("type", variants, options);
}

/** A union tagged by the property `tag` (see TaggedUnion). */
export function TaggedBy<T extends TSchema[]>(tag: string, variants: [...T], options: { description?: string; title?: string } = {}): TUnsafe<Static<T[number]>> {
  return Type.Unsafe<Static<T[number]>>({
    ...options,
    type: "object",
    required: [tag],
    oneOf: variants,
    discriminator: { propertyName: tag },
  } as unknown as TSchema);
}

/**
 * A union of forms that exclude each other (each refuses the others' fields),
 * as JSON Schema `oneOf`, which code generators turn into a union type. For
 * forms with no tag field; validation-errors.ts reports the closest form's errors.
 */
export function Union<T extends TSchema[]>(variants: [...T], options: { description?: string; title?: string; examples?: unknown[] } = {}): TUnsafe<Static<T[number]>> {
  return Type.Unsafe<Static<T[number]>>({ ...options, oneOf: variants } as unknown as TSchema);
}
