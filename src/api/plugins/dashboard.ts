import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { markRoutesPublic } from "./auth.js";

/**
 * The dashboard (built by Vite from dashboard/ into dashboard/dist) at `/`,
 * public like /docs: the page asks for an API key and sends it as a Bearer
 * token itself. Views are routed in the URL's fragment (/#/jobs/job_...), so
 * `/`, its hashed assets and the favicon are the only paths it takes.
 *
 * The folder is looked up per request, so a build made after the API started
 * (`npm run build:dashboard`) is served without a restart; until there is one,
 * `/` says how to make it.
 */
export async function registerDashboard(app: FastifyInstance, { dist = defaultDist() }: { dist?: string } = {}): Promise<void> {
  await app.register(async (scope) => {
    markRoutesPublic(scope);
    await scope.register(fastifyStatic, { root: dist, serve: false });

    scope.get("/", { schema: { hide: true } }, async (_request, reply) => {
      if (!existsSync(join(dist, "index.html"))) {
        return reply.code(503).type("text/html; charset=utf-8").header("cache-control", "no-store").send(notBuiltPage);
      }
      return reply.header("cache-control", "no-cache").sendFile("index.html", dist, { cacheControl: false });
    });
    // File names carry a content hash: cache them for good.
    scope.get("/assets/*", { schema: { hide: true } }, async (request, reply) => {
      const file = (request.params as { "*": string })["*"];
      return reply.sendFile(file, join(dist, "assets"), { immutable: true, maxAge: "365d" });
    });
    scope.get("/favicon.svg", { schema: { hide: true } }, async (_request, reply) => reply.sendFile("favicon.svg", dist, { maxAge: "1d" }));
  });
}

/** dashboard/dist at the project root, from src/api/plugins (tsx) or dist/src/api/plugins (compiled). */
function defaultDist(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "dashboard"))) return join(dir, "dashboard", "dist");
    dir = dirname(dir);
  }
  return join(process.cwd(), "dashboard", "dist");
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>descent</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5; color: #1f2937">
<h1>descent</h1>
<p>The dashboard has not been built yet. Run <code>npm run build:dashboard</code> (<code>npm start</code> does it when it is missing), then reload.</p>
<p>The API is up: its documentation is at <a href="/docs">/docs</a>.</p>
</body></html>`;
