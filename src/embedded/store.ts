// Which Postgres and Redis a process uses (DESCENT_STORE):
//   external  DATABASE_URL / REDIS_URL, or the local defaults; never embedded.
//   embedded  PGlite + js-redis-server, hosted by `npm start` (src/embedded/host.ts).
//   auto      (default) external when DATABASE_URL or REDIS_URL is set or
//             something answers on the default ports; embedded otherwise,
//             except with NODE_ENV=production, which never falls back.

import { ConfigError, describeEndpoint, type Config } from "../config.js";
import { portAnswers, readRunningHost } from "./state-file.js";

export type StoreConfig = Pick<Config, "store" | "nodeEnv" | "databaseUrl" | "redisUrl" | "dataDir">;

export type StoreChoice = { kind: "embedded" } | { kind: "external"; note?: string };

/** For the process that hosts the services (`npm start`): external or embedded? */
export async function chooseStore(config: StoreConfig, env: NodeJS.ProcessEnv = process.env): Promise<StoreChoice> {
  if (config.store === "embedded") return { kind: "embedded" }; // loadConfig refused it in production
  if (config.store === "external" || env.DATABASE_URL || env.REDIS_URL) return { kind: "external" };
  const [postgres, redis] = await Promise.all([portAnswers(config.databaseUrl), portAnswers(config.redisUrl)]);
  if (postgres || redis) return { kind: "external" };
  if (config.nodeEnv === "production") {
    return {
      kind: "external",
      note: `nothing answers at ${describeEndpoint(config.databaseUrl)} or ${describeEndpoint(config.redisUrl)}, and NODE_ENV=production never falls back to the embedded store: set DATABASE_URL and REDIS_URL`,
    };
  }
  return { kind: "embedded" };
}

/**
 * For the API and worker entries: when a host of the embedded store runs on
 * this data directory (and nothing says otherwise), use its services. A
 * process that uses a host's services exits when the host goes away (even
 * killed), rather than linger without its store and hold the API's port.
 */
export function joinEmbeddedStore<C extends StoreConfig>(config: C, env: NodeJS.ProcessEnv = process.env): C {
  const parent = Number(env.DESCENT_EMBEDDED_HOST_PID); // set by `npm start` for the processes it spawns
  if (parent) {
    exitWithHost(parent);
    return config;
  }
  if (config.store === "external") return config;
  if (config.store === "auto" && (env.DATABASE_URL || env.REDIS_URL)) return config;
  const host = readRunningHost(config.dataDir);
  if (host) {
    exitWithHost(host.pid);
    return { ...config, databaseUrl: host.databaseUrl, redisUrl: host.redisUrl };
  }
  if (config.store === "embedded") {
    throw new ConfigError(`DESCENT_STORE=embedded: no embedded store runs on ${config.dataDir}; start it with npm start (npm run worker then joins it)`);
  }
  return config;
}

/** Polls the host's pid; when it is gone, stops this process the usual way (SIGTERM: its own shutdown). */
function exitWithHost(pid: number): void {
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as { code?: string }).code === "EPERM") return;
      clearInterval(timer);
      console.error(`descent: the embedded store's host (process ${pid}) has stopped; stopping too`);
      process.kill(process.pid, "SIGTERM");
    }
  }, 1_000);
  timer.unref();
}
