import { createHash, createHmac, randomBytes } from "node:crypto";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import fastifyCookie from "@fastify/cookie";
import type { Queue } from "bullmq";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import { problemType } from "../../errors.js";
import { markRoutesPublic, sameSecret } from "./auth.js";

export const QUEUES_PATH = "/admin/queues";
const LOGIN_PATH = "/admin/login";
const LOGOUT_PATH = "/admin/logout";
const COOKIE = "descent_admin";
const SESSION_SECONDS = 8 * 3600;
/** Login attempts one address may make per minute (the form is a guessing target). */
const LOGINS_PER_MINUTE = 10;

/**
 * BullMQ's queue view (bull-board) for operators at /admin/queues, behind
 * DESCENT_ADMIN_KEY. A browser cannot add a Bearer header to a page
 * navigation, so the key is accepted two ways:
 * - `Authorization: Bearer <admin key>` (scripts, curl);
 * - a session cookie set by POST /admin/login, a form that takes the key in
 *   the body (never the URL, which logs and browser history keep), throttled
 *   per address. The cookie holds a random session id; Redis holds the
 *   session (its hashed id, for 8 hours) with a fingerprint of the admin key,
 *   so logout ends it for good (the cookie is worthless afterwards, even if
 *   copied) and changing the key ends every session. HttpOnly,
 *   SameSite=Strict (no cross-site request carries it), Path=/admin, Secure
 *   over https.
 * The view is read-only: Postgres is the source of truth of jobs, so removing,
 * retrying or promoting queue entries by hand would only make the two disagree.
 * Without DESCENT_ADMIN_KEY the view is off and the login page says why.
 */
export async function registerBullBoard(
  app: FastifyInstance,
  { queues, adminKey, redis, prefix }: { queues: Queue[]; adminKey: string | undefined; redis: Redis; prefix: string },
): Promise<void> {
  const sessions = adminKey ? createSessionStore(redis, prefix, adminKey) : null;
  await app.register(async (scope) => {
    // Public to the API's auth: these pages take the admin key or a session cookie themselves (below).
    markRoutesPublic(scope);
    await scope.register(fastifyCookie);
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 4096 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    scope.get(LOGIN_PATH, { schema: { hide: true } }, async (request, reply) => {
      if (sessions && (await sessions.valid(request))) return reply.redirect(QUEUES_PATH, 303);
      return page(reply, 200, adminKey ? loginForm() : disabledNotice);
    });

    const throttle = { rateLimit: { max: LOGINS_PER_MINUTE, timeWindow: 60_000 } };
    scope.post(LOGIN_PATH, { config: throttle, schema: { hide: true } }, async (request, reply) => {
      if (!adminKey || !sessions) return page(reply, 503, disabledNotice);
      const given = (request.body as { key?: unknown } | undefined)?.key;
      if (typeof given !== "string" || !sameSecret(given.trim(), adminKey)) {
        request.log.info("queue view: login refused");
        return page(reply, 401, loginForm("That is not the admin key."));
      }
      reply.setCookie(COOKIE, await sessions.open(), {
        path: "/admin",
        httpOnly: true,
        sameSite: "strict",
        secure: request.protocol === "https",
        maxAge: SESSION_SECONDS,
      });
      return reply.redirect(QUEUES_PATH, 303);
    });

    scope.get(LOGOUT_PATH, { schema: { hide: true } }, async (request, reply) => {
      await sessions?.close(request);
      reply.clearCookie(COOKIE, { path: "/admin" });
      return reply.redirect(LOGIN_PATH, 303);
    });

    if (!adminKey || !sessions) {
      // Nothing to guard with: the view is off, and its paths lead to the notice.
      scope.get(QUEUES_PATH, { schema: { hide: true } }, async (_request, reply) => reply.redirect(LOGIN_PATH, 303));
      scope.get(`${QUEUES_PATH}/*`, { schema: { hide: true } }, async (_request, reply) => reply.redirect(LOGIN_PATH, 303));
      return;
    }

    await scope.register(async (guarded) => {
      guarded.addHook("onRequest", async (request, reply) => {
        if (bearerIsAdmin(request, adminKey) || (await sessions.valid(request))) return;
        // A page navigation goes to the login form; the view's own API calls get a problem.
        if (request.method === "GET" && (request.headers.accept ?? "").includes("text/html")) return reply.redirect(LOGIN_PATH, 303);
        return reply
          .code(401)
          .type("application/problem+json")
          .send({ type: problemType("UNAUTHORIZED"), title: "Missing or invalid API key", status: 401, detail: "the queue view needs the admin key: log in at /admin/login or send it as a Bearer token" });
      });

      const serverAdapter = new FastifyAdapter();
      serverAdapter.setBasePath(QUEUES_PATH);
      createBullBoard({
        queues: queues.map(
          (queue) =>
            new BullMQAdapter(queue, {
              readOnlyMode: true,
              externalJobUrl: (job) => {
                const jobId = (job.data as { jobId?: unknown } | undefined)?.jobId;
                return typeof jobId === "string" ? { displayText: "open in dashboard", href: `/#/jobs/${encodeURIComponent(jobId)}` } : { href: "/" };
              },
            }),
        ),
        serverAdapter,
        options: { uiConfig: { boardTitle: "descent queues", miscLinks: [{ text: "Dashboard", url: "/" }, { text: "Log out", url: LOGOUT_PATH }] } },
      });
      await guarded.register(serverAdapter.registerPlugin(), { prefix: QUEUES_PATH });
    });
  });
}

function page(reply: FastifyReply, status: number, body: string) {
  return reply
    .code(status)
    .type("text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>descent · queue view</title></head>
<body style="font-family: system-ui, sans-serif; background: #f6f7f9; color: #1f2937; margin: 0">
<main style="max-width: 26rem; margin: 12vh auto; background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 2rem">
<h1 style="font-size: 1.25rem; margin: 0 0 1rem">descent · queue view</h1>${body}</main></body></html>`);
}

function loginForm(error?: string): string {
  return `<p style="color: #4b5563; margin-top: 0">For operators: BullMQ's view of the training queue. Enter the admin key (<code>DESCENT_ADMIN_KEY</code>).</p>
${error ? `<p role="alert" style="color: #b91c1c">${error}</p>` : ""}
<form method="post" action="${LOGIN_PATH}">
<label for="key" style="display: block; font-weight: 600; margin-bottom: .4rem">Admin key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus
  style="width: 100%; box-sizing: border-box; padding: .55rem .7rem; border: 1px solid #d1d5db; border-radius: 6px; font: inherit">
<button type="submit" style="margin-top: 1rem; padding: .55rem 1.1rem; border: 0; border-radius: 6px; background: #4f46e5; color: #fff; font: inherit; font-weight: 600; cursor: pointer">Open the queue view</button>
</form>
<p style="margin-bottom: 0"><a href="/">← Dashboard</a></p>`;
}

const disabledNotice = `<p>The queue view is off: start the API with <code>DESCENT_ADMIN_KEY</code> set (at least 16 characters) to use it.</p>
<p style="margin-bottom: 0"><a href="/">← Dashboard</a></p>`;

/**
 * Admin sessions in Redis under the hash of their id (a leaked Redis dump
 * holds no usable cookie), valid while they hold the current key's fingerprint.
 */
function createSessionStore(redis: Redis, prefix: string, adminKey: string) {
  const fingerprint = createHmac("sha256", adminKey).update("descent-admin-session").digest("base64url");
  const keyOf = (id: string) => `${prefix}:admin-session:${createHash("sha256").update(id).digest("hex")}`;
  const idOf = (request: FastifyRequest) => {
    const value = request.cookies?.[COOKIE];
    return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
  };
  return {
    /** Starts a session; returns the cookie's value. */
    async open(): Promise<string> {
      const id = randomBytes(32).toString("base64url");
      await redis.set(keyOf(id), fingerprint, "EX", SESSION_SECONDS);
      return id;
    },
    async valid(request: FastifyRequest): Promise<boolean> {
      const id = idOf(request);
      if (!id) return false;
      const stored = await redis.get(keyOf(id)).catch(() => null);
      return stored !== null && sameSecret(stored, fingerprint);
    },
    async close(request: FastifyRequest): Promise<void> {
      const id = idOf(request);
      if (id) await redis.del(keyOf(id)).catch(() => undefined);
    },
  };
}

function bearerIsAdmin(request: FastifyRequest, adminKey: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
  return match !== null && sameSecret(match[1], adminKey);
}
