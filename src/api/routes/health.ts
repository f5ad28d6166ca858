import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { json } from "../schemas.js";

export interface ReadinessProbe {
  postgres(): Promise<void>;
  redis(): Promise<void>;
}

const Check = Type.Union([Type.Literal("ok"), Type.Literal("unavailable")]);
const Readiness = Type.Object(
  {
    status: Check,
    checks: Type.Object({ postgres: Check, redis: Check }),
  },
  {
    examples: [
      { status: "ok", checks: { postgres: "ok", redis: "ok" } },
      { status: "unavailable", checks: { postgres: "ok", redis: "unavailable" } },
    ],
  },
);

export const healthRoutes: FastifyPluginAsyncTypebox<{ probe: ReadinessProbe }> = async (app, { probe }) => {
  app.get(
    "/health/live",
    {
      config: { access: "public" },
      schema: {
        operationId: "getLiveness",
        tags: ["health"],
        summary: "Liveness",
        description: "200 while the process serves requests.",
        response: { 200: json(Type.Object({ status: Type.Literal("ok") }, { examples: [{ status: "ok" }] }), "Alive.") },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/health/ready",
    {
      config: { access: "public" },
      schema: {
        operationId: "getReadiness",
        tags: ["health"],
        summary: "Readiness",
        description: "200 when Postgres and Redis both answer within a second, 503 otherwise, naming which does not.",
        response: { 200: json(Readiness, "Ready."), 503: json(Readiness, "Not ready.") },
      },
    },
    async (_request, reply) => {
      const [postgres, redis] = await Promise.all([check(probe.postgres()), check(probe.redis())]);
      const ready = postgres === "ok" && redis === "ok";
      return reply.code(ready ? 200 : 503).send({ status: ready ? "ok" : "unavailable", checks: { postgres, redis } });
    },
  );
};

async function check(probe: Promise<void>): Promise<"ok" | "unavailable"> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 1_000).unref());
  try {
    await Promise.race([probe, timeout]);
    return "ok";
  } catch {
    return "unavailable";
  }
}
