import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest, RouteOptions } from "fastify";
import { DescentError } from "../../errors.js";
import { DEFAULT_PROJECT_ID, type ProjectService } from "../../services/projects.js";
import type { AuthFailureLimiter } from "./auth-failures.js";

/**
 * Who may call a route. Deny by default: a route without `access` needs a
 * project's key; a route is public only if it says so.
 * - `public`: anyone (health, docs, the dashboard's files, pages that guard themselves);
 * - `project`: a project's API key; the request acts in that project;
 * - `admin`: DESCENT_ADMIN_KEY and nothing else;
 * - `projectOrAdmin`: either; `request.isAdmin` tells which (e.g. /metrics: the whole service, or one project).
 */
export type RouteAccess = "public" | "project" | "admin" | "projectOrAdmin";

declare module "fastify" {
  interface FastifyRequest {
    /** The project this request acts in; "" on public and admin requests. */
    projectId: string;
    /** The id of the API key that authenticated this request; "" when none did. */
    apiKeyId: string;
    /** True when the admin key authenticated this request. */
    isAdmin: boolean;
  }
  interface FastifyContextConfig {
    /** @defaultValue "project" */
    access?: RouteAccess;
  }
}

export interface AuthOptions {
  mode: "on" | "off";
  adminKey: string | undefined;
  projects: Pick<ProjectService, "keyOf">;
  failures: AuthFailureLimiter;
}

/** The access a route declared, "project" when it declared none. */
export function accessOf(config: { access?: RouteAccess } | undefined): RouteAccess {
  return config?.access ?? "project";
}

/**
 * Marks every route registered in `scope` (and its children) public, for
 * plugins whose routes we do not declare ourselves (Swagger UI, bull-board).
 */
export function markRoutesPublic(scope: FastifyInstance): void {
  scope.addHook("onRoute", (route: RouteOptions) => {
    route.config = { ...(route.config as object), access: (route.config as { access?: RouteAccess } | undefined)?.access ?? "public" };
  });
}

/**
 * Authentication follows the route that matched, never the raw URL: the
 * router decodes and normalises paths (`/%761/jobs` is `/v1/jobs`), so any
 * test of `request.url` can be walked around. Unmatched requests reach the
 * not-found handler, which shows nothing.
 */
export function installAuth(app: FastifyInstance, { mode, adminKey, projects, failures }: AuthOptions): void {
  app.decorateRequest("projectId", "");
  app.decorateRequest("apiKeyId", "");
  app.decorateRequest("isAdmin", false);

  app.addHook("onRequest", async (request) => {
    if (request.is404) return;
    const access = accessOf(request.routeOptions.config);
    if (access === "public") return;

    const token = bearer(request);
    if (token !== null && adminKey && sameSecret(token, adminKey)) {
      if (access === "project") throw new DescentError("FORBIDDEN", "the admin key works on admin routes only; use a project's API key");
      request.isAdmin = true;
      return;
    }
    if (access === "admin") {
      // A valid project key is known but not allowed here; anything else is not known at all.
      const known = token !== null && (await lookUp(request, token)) !== null;
      throw new DescentError(known ? "FORBIDDEN" : "UNAUTHORIZED", "this route needs the admin key (DESCENT_ADMIN_KEY) as a Bearer token");
    }
    if (mode === "off") {
      request.projectId = DEFAULT_PROJECT_ID;
      return;
    }
    if (token === null) throw new DescentError("UNAUTHORIZED", "send an API key: Authorization: Bearer <key>");
    const key = await lookUp(request, token);
    if (!key) throw new DescentError("UNAUTHORIZED", "this API key is unknown or has been revoked");
    request.projectId = key.projectId;
    request.apiKeyId = key.id;
  });

  /**
   * Looks a key up (in this process's cache of verified keys, else in
   * Postgres); the Postgres lookup is refused while this address has sent
   * too many unknown keys lately.
   */
  async function lookUp(request: FastifyRequest, token: string) {
    const key = await projects.keyOf(token, { beforeDatabase: () => failures.assertNotBlocked(request) });
    if (!key) await failures.record(request);
    return key;
  }
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1] : null;
}

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
