import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { buildDashboard } from "../../dashboard/build.js";

/** Debian's Chromium; .ci/run installs it. Playwright's own browser downloads are never used. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const haveChromium = existsSync(chromiumPath);
export const artifacts = join(process.cwd(), "test-artifacts");

if (!haveChromium) {
  if (process.env.CI) throw new Error(`${chromiumPath} is missing: .ci/run installs it with apt-get install -y chromium`);
  console.warn(`browser tests skipped: ${chromiumPath} is missing (apt-get install -y chromium)`);
}

/** Builds dashboard/dist when it is missing or older than its sources (what the API serves at /). */
export async function ensureDashboard(): Promise<void> {
  await buildDashboard({ ifStale: true, quiet: true });
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

export function screenshotPath(name: string): string {
  return join(artifacts, name);
}

/** fetch against the cluster with a Bearer key; JSON in and out. */
export async function apiCall(base: string, key: string | null, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/**
 * Small grey-scale pictures of three shapes (a horizontal bar, a vertical bar,
 * a square outline) at random places, with noise and a tenth of the labels wrong: learnable in a few epochs,
 * and recognisable in the dashboard's sample grid.
 */
export function shapesDataset(numSamples: number, size = 12, seed = 7) {
  let state = seed >>> 0;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const features: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < numSamples; i++) {
    const label = i % 3;
    const image = Array.from({ length: size * size }, () => random() * 0.45);
    const at = (y: number, x: number) => y >= 0 && y < size && x >= 0 && x < size && (image[y * size + x] = 0.5 + random() * 0.5);
    const r = 2 + Math.floor(random() * (size - 6));
    const c = 2 + Math.floor(random() * (size - 6));
    const length = 4 + Math.floor(random() * 3);
    for (let k = 0; k < length; k++) {
      if (label === 0) at(r, c + k - 1), at(r + 1, c + k - 1);
      else if (label === 1) at(r + k - 1, c), at(r + k - 1, c + 1);
      else if (k < 4) at(r, c + k), at(r + 3, c + k), at(r + k, c), at(r + k, c + 3);
    }
    features.push(image.map((v) => Math.round(v * 1000) / 1000));
    // One label in ten is wrong, as in real data: validation loss levels off and early stopping has work.
    labels.push(random() < 0.1 ? Math.floor(random() * 3) : label);
  }
  return { name: "shapes 12×12", features, labels, classNames: ["horizontal", "vertical", "square"], inputShape: [size, size, 1] };
}
