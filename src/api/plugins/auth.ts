import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { DescentError } from "../../errors.js";
import { DEFAULT_PROJECT_ID, type ProjectService } from "../../services/projects.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The project this request acts in; set for every /v1 route but the admin ones. */
    projectId: string;
  }
  interface FastifyContextConfig {
    /** Admin routes take DESCENT_ADMIN_KEY and nothing else. */
    admin?: boolean;
    /** Routes outside /v1 that still need a valid key (e.g. /metrics). */
    requiresKey?: boolean;
  }
}

export interface AuthOptions {
  mode: "on" | "off";
  adminKey: string | undefined;
  projects: ProjectService;
}

/**
 * Bearer keys for everything under /v1: a project's key selects the project
 * (another project's ids then look like ids that do not exist); the admin key
 * from the environment works on admin routes only. DESCENT_AUTH=off puts
 * every request in the default project (local development).
 */
export function installAuth(app: FastifyInstance, { mode, adminKey, projects }: AuthOptions): void {
  app.decorateRequest("projectId", "");

  app.addHook("onRequest", async (request) => {
    const config = request.routeOptions.config ?? {};
    const protectedRoute = request.url.startsWith("/v1/") || config.requiresKey;
    if (!protectedRoute || request.routeOptions.url === undefined) return;

    if (config.admin) {
      const token = bearer(request);
      if (adminKey && token && sameSecret(token, adminKey)) return;
      // A valid project key is known but not allowed here; anything else is not known at all.
      const known = token !== null && (await projects.projectOfKey(token)) !== null;
      throw new DescentError(known ? "FORBIDDEN" : "UNAUTHORIZED", "this route needs the admin key (DESCENT_ADMIN_KEY) as a Bearer token");
    }
    if (mode === "off") {
      request.projectId = DEFAULT_PROJECT_ID;
      return;
    }
    const token = bearer(request);
    if (!token) throw new DescentError("UNAUTHORIZED", "send an API key: Authorization: Bearer <key>");
    if (adminKey && sameSecret(token, adminKey)) {
      throw new DescentError("FORBIDDEN", "the admin key works on admin routes only; use a project's API key");
    }
    const projectId = await projects.projectOfKey(token);
    if (!projectId) throw new DescentError("UNAUTHORIZED", "this API key is unknown or has been revoked");
    request.projectId = projectId;
  });
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
