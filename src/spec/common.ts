import { Type, type TSchema } from "typebox";

export const Problem = Type.Object(
  {
    type: Type.String({ description: "A URI reference naming the kind of problem." }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String({ description: "JSON Pointer (RFC 6901) into the request body, or the query/param name." }),
          message: Type.String(),
        }),
      ),
    ),
  },
  { title: "Problem", description: "RFC 9457 problem details (application/problem+json)." },
);

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 64, description: "The nextCursor of the previous page." })),
};

export function Page<T extends TSchema>(item: T, title: string) {
  const example = (item as { examples?: unknown[] }).examples?.[0];
  return Type.Object(
    {
      data: Type.Array(item),
      nextCursor: Type.Union([Type.String(), Type.Null()], { description: "Pass as ?cursor= for the next page; null on the last." }),
    },
    { title, ...(example === undefined ? {} : { examples: [{ data: [example], nextCursor: null }] }) },
  );
}
