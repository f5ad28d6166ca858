import { Type, type Static } from "typebox";
import { Description, Tags } from "./common.js";

// The model registry's contract: names a project keeps for its trained models,
// numbered versions, and aliases (production, staging, ...) that move between them.

const NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$";
/** Not all digits, so that /aliases/3 cannot be read as version 3. */
const ALIAS_PATTERN = "^(?![0-9]+$)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

export const RegisteredModelName = Type.String({ pattern: NAME_PATTERN, description: "Letters, digits, `.`, `_`, `-`; 1 to 100 characters, starting with a letter or digit.", examples: ["penguin-species"] });
export const AliasName = Type.String({ pattern: ALIAS_PATTERN, description: "Letters, digits, `.`, `_`, `-`; 1 to 64 characters, not all digits.", examples: ["production"] });

export const CreateRegisteredModel = Type.Object(
  { name: RegisteredModelName, description: Type.Optional(Description), tags: Type.Optional(Tags) },
  { additionalProperties: false, title: "CreateRegisteredModel", examples: [{ name: "penguin-species", description: "Species from beak and flipper sizes", tags: ["tabular"] }] },
);

export const CreateModelVersion = Type.Object(
  { modelId: Type.String({ minLength: 1, maxLength: 64, description: "A trained model of the project." }), description: Type.Optional(Description), tags: Type.Optional(Tags) },
  { additionalProperties: false, title: "CreateModelVersion", examples: [{ modelId: "mdl_01hx...", description: "more epochs" }] },
);

export const SetAlias = Type.Object(
  { version: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1, description: "The version the alias points to from now on." }) },
  { additionalProperties: false, title: "SetAlias", examples: [{ version: 2 }] },
);

const EXAMPLE_VERSION = { name: "penguin-species", version: 2, modelId: "mdl_01hx...", description: "more epochs", tags: [], aliases: ["production"], createdAt: "2026-12-03T06:00:00.000Z" };

export const ModelVersion = Type.Object(
  {
    name: Type.String({ description: "The registered model's name." }),
    version: Type.Integer({ minimum: 1 }),
    modelId: Type.String(),
    description: Type.String(),
    tags: Type.Array(Type.String()),
    aliases: Type.Array(Type.String(), { description: "The aliases pointing to this version." }),
    createdAt: Type.String({ format: "date-time" }),
  },
  { title: "ModelVersion", examples: [EXAMPLE_VERSION] },
);

export const RegisteredModel = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String(),
    tags: Type.Array(Type.String()),
    latestVersion: Type.Union([Type.Integer(), Type.Null()], { description: "The highest version number; null before the first." }),
    aliases: Type.Record(Type.String(), Type.Integer(), { description: "Alias -> version." }),
    versions: Type.Array(ModelVersion, { description: "Newest first (at most 100; GET .../versions pages through all)." }),
    createdAt: Type.String({ format: "date-time" }),
    updatedAt: Type.String({ format: "date-time" }),
  },
  {
    title: "RegisteredModel",
    examples: [
      {
        id: "rgm_01hx...",
        name: "penguin-species",
        description: "Species from beak and flipper sizes",
        tags: ["tabular"],
        latestVersion: 2,
        aliases: { production: 2 },
        versions: [EXAMPLE_VERSION],
        createdAt: "2026-12-03T05:00:00.000Z",
        updatedAt: "2026-12-03T06:00:00.000Z",
      },
    ],
  },
);

export const RegisteredModelList = Type.Object({ data: Type.Array(RegisteredModel) }, { title: "RegisteredModelList", examples: [{ data: (RegisteredModel as { examples?: unknown[] }).examples }] });

export const RegisteredModelParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export const VersionParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), version: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }) }, { additionalProperties: false });
export const AliasParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), alias: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export type CreateRegisteredModelView = Static<typeof CreateRegisteredModel>;
export type CreateModelVersionView = Static<typeof CreateModelVersion>;
export type RegisteredModelView = Static<typeof RegisteredModel>;
export type ModelVersionView = Static<typeof ModelVersion>;
