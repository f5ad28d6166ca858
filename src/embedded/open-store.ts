// What `npm start` does about the store before anything else: decide external
// or embedded (./store.ts), and when embedded, host the services and hand
// their URLs to the API and worker processes it spawns.

import { ConfigError, type Config } from "../config.js";
import { startEmbeddedHost, type EmbeddedHost } from "./host.js";
import { chooseStore } from "./store.js";

export interface OpenedStore<C extends Config> {
  /** The config with the URLs this process and its children use. */
  config: C;
  /** Set when this process hosts the embedded store; close it after the children exit. */
  host?: EmbeddedHost;
  /** Environment for the child processes: the embedded URLs, or nothing. */
  childEnv: Record<string, string>;
}

export async function openStore<C extends Config>(config: C): Promise<OpenedStore<C>> {
  const choice = await chooseStore(config);
  if (choice.kind === "external") {
    if (choice.note) console.error(`descent: ${choice.note}`);
    return { config, childEnv: {} };
  }
  let host: EmbeddedHost;
  try {
    host = await startEmbeddedHost({ dataDir: config.dataDir });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`descent: ${error.message}`);
    process.exit(1);
  }
  console.log(host.banner);
  return {
    config: { ...config, databaseUrl: host.databaseUrl, redisUrl: host.redisUrl },
    host,
    // The children connect to the host's ports as to any external service.
    childEnv: { DATABASE_URL: host.databaseUrl, REDIS_URL: host.redisUrl, DESCENT_STORE: "external", DESCENT_EMBEDDED_HOST_PID: String(process.pid) },
  };
}
