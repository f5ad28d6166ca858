import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// Docker cannot run here; these checks keep docker-compose.yml and the
// Dockerfile honest by reading them.

const compose = parse(readFileSync("docker-compose.yml", "utf8"));
const dockerfile = readFileSync("Dockerfile", "utf8");
const buildConfig = JSON.parse(readFileSync("tsconfig.build.json", "utf8"));

/** dist/<path>.js is compiled from <path>.ts by tsconfig.build.json (rootDir ".", outDir "dist"). */
function sourceOf(compiled: string): string {
  expect(compiled).toMatch(/^dist\/.*\.js$/);
  return compiled.replace(/^dist\//, "").replace(/\.js$/, ".ts");
}

describe("docker-compose.yml", () => {
  it("names postgres, redis, api and worker, and a migrate step that runs first", () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(["postgres", "redis", "api", "worker", "migrate"]));
    for (const service of ["api", "worker"]) {
      expect(compose.services[service].depends_on.migrate.condition).toBe("service_completed_successfully");
    }
  });

  it("runs Redis with appendonly and maxmemory-policy noeviction", () => {
    const command = compose.services.redis.command.join(" ");
    expect(command).toContain("--appendonly yes");
    expect(command).toContain("--maxmemory-policy noeviction");
  });

  it("does not pin a host port or container name on the worker, so --scale worker=N works", () => {
    expect(compose.services.worker.ports).toBeUndefined();
    expect(compose.services.worker.container_name).toBeUndefined();
  });

  it("starts entries that the build compiles", () => {
    for (const service of ["api", "worker", "migrate"]) {
      const [node, entry] = compose.services[service].command;
      expect(node).toBe("node");
      expect(existsSync(sourceOf(entry)), `${service}: ${entry}`).toBe(true);
      const top = sourceOf(entry).split("/")[0];
      expect(buildConfig.include).toContain(top);
    }
  });

  it("publishes no port of Postgres or Redis on the host, restarts what stops, and checks workers with their own command", () => {
    expect(compose.services.postgres.ports).toBeUndefined();
    expect(compose.services.redis.ports).toBeUndefined();
    for (const service of ["postgres", "redis", "api", "worker"]) expect(compose.services[service].restart, service).toBe("unless-stopped");
    const [, node, entry] = compose.services.worker.healthcheck.test;
    expect(node).toBe("node");
    expect(existsSync(sourceOf(entry)), entry).toBe(true);
    expect(readFileSync(sourceOf(entry), "utf8")).toContain("workerAliveOnThisHost");
  });

  it("points the services at the compose Postgres and Redis", () => {
    for (const service of ["api", "worker", "migrate"]) {
      expect(compose.services[service].environment.DATABASE_URL).toMatch(/@postgres:5432\/descent$/);
    }
    expect(compose.services.api.environment.REDIS_URL).toBe("redis://redis:6379");
    expect(compose.services.postgres.environment.POSTGRES_DB).toBe("descent");
  });
});

describe("Dockerfile", () => {
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ image: m[1], name: m[2] }));

  it("has a build stage and a Node.js 24 (LTS) slim runtime, the same major as the build", () => {
    expect(stages.map((s) => s.name)).toEqual(["build", "runtime"]);
    expect(stages[1].image).toMatch(/^node:24[-.\w]*slim/);
    expect(stages[0].image.split("-")[0]).toBe(stages[1].image.split("-")[0]);
  });

  it("copies from the build context only files that exist", () => {
    const copies = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].map((m) => m[1].trim().split(/\s+/));
    expect(copies.length).toBeGreaterThan(0);
    for (const parts of copies) {
      for (const source of parts.slice(0, -1)) expect(existsSync(source), `COPY ${source}`).toBe(true);
    }
  });

  it("copies between stages only from stages that exist, and runs a compiled entry", () => {
    for (const m of dockerfile.matchAll(/^COPY\s+--from=(\S+)/gm)) expect(stages.map((s) => s.name)).toContain(m[1]);
    const cmd = JSON.parse(dockerfile.match(/^CMD\s+(\[.*\])$/m)![1]) as string[];
    expect(existsSync(sourceOf(cmd[1]))).toBe(true);
  });

  it("has the scripts it runs", () => {
    const scripts = JSON.parse(readFileSync("package.json", "utf8")).scripts;
    for (const m of dockerfile.matchAll(/npm run (\S+)/g)) expect(scripts).toHaveProperty(m[1]);
  });
});
