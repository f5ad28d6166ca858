// Tenants and their API keys. A key is shown once, at creation, and stored
// only as its sha256 hash; a revoked key stops working at once.

import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../db/client.js";
import { newId } from "../db/ids.js";
import { notFound } from "../errors.js";

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

export function createProjectService({ db }: { db: Database }) {
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

    async revokeKey(projectId: string, id: string): Promise<void> {
      const { count } = await db.apiKey.updateMany({ where: { id, projectId, revokedAt: null }, data: { revokedAt: new Date() } });
      if (count === 0) {
        const exists = await db.apiKey.findFirst({ where: { id, projectId }, select: { id: true } });
        if (!exists) throw notFound("api key", id);
      }
    },

    /** The project a bearer key belongs to, or null for an unknown or revoked key. */
    async projectOfKey(apiKey: string): Promise<string | null> {
      if (!apiKey.startsWith(KEY_PREFIX)) return null;
      const row = await db.apiKey.findUnique({ where: { hash: hashKey(apiKey) }, select: { projectId: true, revokedAt: true } });
      return row && !row.revokedAt ? row.projectId : null;
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
