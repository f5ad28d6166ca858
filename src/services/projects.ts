// Tenants and their API keys. A key is shown once, at creation, and stored
// only as its sha256 hash; a revoked key stops working at once, in every API
// process (see verified-key-cache.ts).

import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../db/client.js";
import { newId } from "../db/ids.js";
import { DescentError, notFound } from "../errors.js";
import { createVerifiedKeyCache, type RevocationSignal, type VerifiedKey } from "./verified-key-cache.js";

/** The project every request acts in when DESCENT_AUTH=off (created by the tenancy migration). */
export const DEFAULT_PROJECT_ID = "prj_default";

const KEY_PREFIX = "dsk_";

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

function generateKey(): string {
  return KEY_PREFIX + randomBytes(24).toString("base64url");
}

/** What generateKey makes; anything else is unknown without a database lookup. */
const KEY_FORMAT = /^dsk_[A-Za-z0-9_-]{32}$/;

export interface ProjectServiceDependencies {
  db: Database;
  /**
   * How revocations reach every API process. With it, verified keys are
   * cached per process (for `keyCacheTtlMs`, 0: not at all); without it,
   * every lookup asks Postgres.
   */
  revocations?: RevocationSignal;
  /** @defaultValue 60000 */
  keyCacheTtlMs?: number;
}

export function createProjectService({ db, revocations, keyCacheTtlMs = 60_000 }: ProjectServiceDependencies) {
  const verifiedKeys = revocations && keyCacheTtlMs > 0 ? createVerifiedKeyCache({ signal: revocations, ttlMs: keyCacheTtlMs }) : null;

  async function findActiveKey(hash: string): Promise<VerifiedKey | null> {
    const row = await db.apiKey.findUnique({ where: { hash }, select: { id: true, projectId: true, revokedAt: true } });
    return row && !row.revokedAt ? { id: row.id, projectId: row.projectId } : null;
  }

  /** Tells every API process (this one first) to stop trusting the keys it verified before this revocation. */
  async function announceRevocation(id: string): Promise<void> {
    if (!verifiedKeys || !revocations) return;
    verifiedKeys.clear();
    try {
      await revocations.announce();
    } catch (error) {
      throw new DescentError(
        "UNAVAILABLE",
        `api key ${id} is revoked, but other API processes could not be told (Redis is unavailable) and may accept it for up to ${Math.ceil(keyCacheTtlMs / 1000)} s; retry the DELETE shortly`,
        undefined,
        { cause: error },
      );
    }
  }

  async function issueKey(projectId: string, name: string) {
    const apiKey = generateKey();
    const row = await db.apiKey.create({
      data: { id: newId("key"), projectId, name, hash: hashKey(apiKey), prefix: apiKey.slice(0, KEY_PREFIX.length + 6) },
    });
    return { key: toKeyView(row), apiKey };
  }

  return {
    async createProject(name: string) {
      const project = await db.project.create({ data: { id: newId("prj"), name }, select: { id: true, name: true } });
      const { apiKey } = await issueKey(project.id, "first key");
      return { project, apiKey };
    },

    issueKey,

    async listKeys(projectId: string): Promise<ApiKeyView[]> {
      const rows = await db.apiKey.findMany({ where: { projectId }, orderBy: { id: "desc" } });
      return rows.map(toKeyView);
    },

    /**
     * Revokes a key. Revoking the project's last active key would lock the
     * project out for good (only the admin could issue a new one), so it
     * needs `force`.
     */
    async revokeKey(projectId: string, id: string, { force = false }: { force?: boolean } = {}): Promise<void> {
      const outcome = await db.$transaction(async (tx) => {
        // Serialises revocations of one project, so two of them cannot both see "another key is left".
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`api-keys:${projectId}`}))`;
        const key = await tx.apiKey.findFirst({ where: { id, projectId }, select: { revokedAt: true } });
        if (!key) return "missing";
        if (key.revokedAt) return "revoked";
        const others = await tx.apiKey.count({ where: { projectId, revokedAt: null, id: { not: id } } });
        if (others === 0 && !force) return "last";
        await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
        return "revoked";
      });
      if (outcome === "missing") throw notFound("api key", id);
      if (outcome === "revoked") await announceRevocation(id);
      if (outcome === "last") {
        throw new DescentError("CONFLICT", `api key ${id} is this project's last active key: revoking it locks the project out; create another key first, or pass ?force=true`, [
          { path: "querystring/force", message: "needed to revoke the last active key" },
        ]);
      }
    },

    /** Whether a project exists (admin routes that act on a named project). */
    async assertProjectExists(projectId: string): Promise<void> {
      const project = await db.project.findUnique({ where: { id: projectId }, select: { id: true } });
      if (!project) throw notFound("project", projectId);
    },

    /**
     * The key (its id and project) a bearer token is, or null for an unknown
     * or revoked one. `beforeDatabase` runs only when the answer has to come
     * from Postgres (the key is not cached), and may refuse by throwing.
     */
    async keyOf(apiKey: string, { beforeDatabase }: { beforeDatabase?: () => Promise<void> } = {}): Promise<VerifiedKey | null> {
      if (!KEY_FORMAT.test(apiKey)) {
        await beforeDatabase?.();
        return null;
      }
      const hash = hashKey(apiKey);
      const load = async () => {
        await beforeDatabase?.();
        return findActiveKey(hash);
      };
      return verifiedKeys ? verifiedKeys.lookUp(hash, load) : load();
    },

    async ensureDefaultProject(): Promise<void> {
      await db.project.upsert({ where: { id: DEFAULT_PROJECT_ID }, create: { id: DEFAULT_PROJECT_ID, name: "default" }, update: {} });
    },
  };
}

export type ProjectService = ReturnType<typeof createProjectService>;

function toKeyView(row: { id: string; name: string; prefix: string; createdAt: Date; revokedAt: Date | null }): ApiKeyView {
  return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt.toISOString(), revokedAt: row.revokedAt?.toISOString() ?? null };
}
