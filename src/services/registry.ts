// The model registry: names a project keeps for trained models, numbered
// versions under each name, and aliases (production, staging, any name) that
// move between versions in one statement. Predict and evaluate through an
// alias or version resolve it to its model and go through the model service.

import { Prisma, type Database } from "../db/client.js";
import { newId } from "../db/ids.js";
import { DescentError, notFound } from "../errors.js";
import type { CreateModelVersionView, CreateRegisteredModelView, ModelVersionView, RegisteredModelView } from "../spec/registry.js";

/** Versions listed on a registered model's own page. */
const VERSIONS_SHOWN = 100;

type VersionRow = Prisma.ModelVersionGetPayload<{ include: { aliases: true } }>;
type RegisteredRow = Prisma.RegisteredModelGetPayload<{ include: { versions: { include: { aliases: true } }; aliases: { include: { version: true } } } }>;

const withVersions = {
  versions: { include: { aliases: true }, orderBy: { version: "desc" as const }, take: VERSIONS_SHOWN },
  aliases: { include: { version: true } },
} satisfies Prisma.RegisteredModelInclude;

function versionView(name: string, row: VersionRow): ModelVersionView {
  return { name, version: row.version, modelId: row.modelId, description: row.description, tags: row.tags, aliases: row.aliases.map((a) => a.alias).sort(), createdAt: row.createdAt.toISOString() };
}

function registeredView(row: RegisteredRow): RegisteredModelView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: row.tags,
    latestVersion: row.versions[0]?.version ?? null,
    aliases: Object.fromEntries(row.aliases.map((a) => [a.alias, a.version.version]).sort(([a], [b]) => String(a).localeCompare(String(b)))),
    versions: row.versions.map((v) => versionView(row.name, v)),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

export function createRegistryService({ db }: { db: Database }) {
  async function find(projectId: string, name: string): Promise<RegisteredRow> {
    const row = await db.registeredModel.findUnique({ where: { projectId_name: { projectId, name } }, include: withVersions });
    if (!row) throw notFound("registered model", name);
    return row;
  }

  async function resolveVersion(projectId: string, name: string, pointer: { alias: string } | { version: number }): Promise<{ modelId: string; version: number }> {
    const registered = await find(projectId, name);
    if ("version" in pointer) {
      const row = registered.versions.find((v) => v.version === pointer.version) ?? (await db.modelVersion.findUnique({ where: { registeredModelId_version: { registeredModelId: registered.id, version: pointer.version } } }));
      if (!row) throw notFound(`version of ${name}`, String(pointer.version));
      return { modelId: row.modelId, version: row.version };
    }
    const aliased = registered.aliases.find((a) => a.alias === pointer.alias);
    if (!aliased) throw notFound(`alias of ${name}`, pointer.alias);
    return { modelId: aliased.version.modelId, version: aliased.version.version };
  }

  return {
    async create(projectId: string, body: CreateRegisteredModelView): Promise<RegisteredModelView> {
      try {
        const row = await db.registeredModel.create({
          data: { id: newId("rgm"), projectId, name: body.name, description: body.description ?? "", tags: body.tags ?? [] },
          include: withVersions,
        });
        return registeredView(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new DescentError("CONFLICT", `a registered model named ${body.name} exists`, [{ path: "/name", message: "is taken in this project" }]);
        throw error;
      }
    },

    /** By name; `tag` keeps those carrying it. */
    async list(projectId: string, { tag }: { tag?: string }): Promise<{ data: RegisteredModelView[] }> {
      const rows = await db.registeredModel.findMany({ where: { projectId, ...(tag ? { tags: { has: tag } } : {}) }, include: withVersions, orderBy: { name: "asc" }, take: 1000 });
      return { data: rows.map(registeredView) };
    },

    get: async (projectId: string, name: string) => registeredView(await find(projectId, name)),

    /** Registers a trained model of the project as the next version (1 + the highest so far). */
    async addVersion(projectId: string, name: string, body: CreateModelVersionView): Promise<ModelVersionView> {
      const registered = await find(projectId, name);
      const model = await db.model.findFirst({ where: { id: body.modelId, projectId }, select: { id: true } });
      if (!model) throw new DescentError("NOT_FOUND", `model ${body.modelId} does not exist`, [{ path: "/modelId", message: "no such model in this project" }]);
      const row = await db.$transaction(async (tx) => {
        // Versions of one name are numbered one at a time: the registered model's row is the lock.
        await tx.$queryRaw`SELECT id FROM "RegisteredModel" WHERE id = ${registered.id} FOR UPDATE`;
        const latest = await tx.modelVersion.aggregate({ where: { registeredModelId: registered.id }, _max: { version: true } });
        await tx.registeredModel.update({ where: { id: registered.id }, data: { updatedAt: new Date() } });
        return tx.modelVersion.create({
          data: { id: newId("mv"), registeredModelId: registered.id, version: (latest._max.version ?? 0) + 1, modelId: model.id, description: body.description ?? "", tags: body.tags ?? [] },
          include: { aliases: true },
        });
      });
      return versionView(name, row);
    },

    async getVersion(projectId: string, name: string, version: number): Promise<ModelVersionView> {
      const registered = await find(projectId, name);
      const row = await db.modelVersion.findUnique({ where: { registeredModelId_version: { registeredModelId: registered.id, version } }, include: { aliases: true } });
      if (!row) throw notFound(`version of ${name}`, String(version));
      return versionView(name, row);
    },

    /** Points `alias` at `version` (creating the alias or moving it), in one statement. */
    async setAlias(projectId: string, name: string, alias: string, version: number): Promise<ModelVersionView> {
      const registered = await find(projectId, name);
      const target = await db.modelVersion.findUnique({ where: { registeredModelId_version: { registeredModelId: registered.id, version } } });
      if (!target) throw new DescentError("NOT_FOUND", `${name} has no version ${version}`, [{ path: "/version", message: "no such version" }]);
      await db.modelAlias.upsert({
        where: { registeredModelId_alias: { registeredModelId: registered.id, alias } },
        create: { registeredModelId: registered.id, alias, versionId: target.id },
        update: { versionId: target.id },
      });
      return this.getVersion(projectId, name, version);
    },

    async deleteAlias(projectId: string, name: string, alias: string): Promise<void> {
      const registered = await find(projectId, name);
      const { count } = await db.modelAlias.deleteMany({ where: { registeredModelId: registered.id, alias } });
      if (count === 0) throw notFound(`alias of ${name}`, alias);
    },

    /** The model an alias or a version number points to. */
    resolve: async (projectId: string, name: string, pointer: { alias: string } | { version: number }): Promise<string> => (await resolveVersion(projectId, name, pointer)).modelId,

    /** The model and version number an alias or a version number points to. */
    resolveVersion,

  };
}

export type RegistryService = ReturnType<typeof createRegistryService>;
