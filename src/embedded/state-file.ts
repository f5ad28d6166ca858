// While an embedded host runs, <dataDir>/embedded.json says where its
// services listen, so that `npm run worker` (and `npm run api`) can join them,
// and so that a second host cannot open the same PGlite directory (two
// processes writing one data directory would corrupt it).

import { readFileSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";

export interface HostState {
  pid: number;
  databaseUrl: string;
  redisUrl: string;
  startedAt: string;
}

export function statePath(dataDir: string): string {
  return join(dataDir, "embedded.json");
}

/** The state of the host that runs on `dataDir`, if its process is alive (no port check: see hostAnswers). */
export function readRunningHost(dataDir: string): HostState | null {
  let state: HostState;
  try {
    state = JSON.parse(readFileSync(statePath(dataDir), "utf8")) as HostState;
  } catch {
    return null;
  }
  return processAlive(state.pid) ? state : null;
}

export async function writeHostState(dataDir: string, state: HostState): Promise<void> {
  // Write then rename, so a reader never sees half a file.
  const temporary = `${statePath(dataDir)}.${process.pid}`;
  await writeFile(temporary, JSON.stringify(state, null, 2));
  await rename(temporary, statePath(dataDir));
}

export async function removeHostState(dataDir: string): Promise<void> {
  await rm(statePath(dataDir), { force: true });
}

/** True when the host's Postgres port accepts connections (a live pid could be another process that reused it). */
export async function hostAnswers(state: HostState): Promise<boolean> {
  return portAnswers(state.databaseUrl);
}

/** True when something accepts a TCP connection at the host and port of `connectionUrl`. */
export function portAnswers(connectionUrl: string, timeoutMs = 1_000): Promise<boolean> {
  const url = new URL(connectionUrl);
  const port = Number(url.port || (url.protocol.startsWith("redis") ? 6379 : 5432));
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM"; // alive, owned by someone else
  }
}
