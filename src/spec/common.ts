import { Type, type Static, type TSchema } from "typebox";

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

/** What a user calls a job, a model or a registered model: free text and tags to filter lists by. */
export const Description = Type.String({ maxLength: 2000 });
export const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32, uniqueItems: true, description: "Up to 32 distinct tags; lists filter by one with ?tag=." });
export const DisplayName = Type.String({ minLength: 1, maxLength: 200, description: "A name to show; need not be unique." });

/** The optional name, description and tags of a job as submitted. */
export const LabelFields = { name: Type.Optional(DisplayName), description: Type.Optional(Description), tags: Type.Optional(Tags) };

/** PATCH of a job's or a model's labels: the fields given replace the stored ones (name null clears it). */
export const LabelsPatch = Type.Object(
  { name: Type.Optional(Type.Union([DisplayName, Type.Null()])), description: Type.Optional(Description), tags: Type.Optional(Tags) },
  { additionalProperties: false, minProperties: 1, title: "LabelsPatch", examples: [{ name: "wide MLP, lr 3e-3", tags: ["baseline", "tabular"] }] },
);
export type LabelsPatchView = Static<typeof LabelsPatch>;

/** The labels as every view shows them. */
export const LabelViewFields = { name: Type.Union([Type.String(), Type.Null()]), description: Type.String(), tags: Type.Array(Type.String()) };
