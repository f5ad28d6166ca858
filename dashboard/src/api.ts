// The API, as the dashboard calls it: same origin, a project's key from
// localStorage sent as a Bearer token, problem+json errors as ApiError.

const KEY_STORAGE = "descent.apiKey";

export function getKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function setKey(key: string | null): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
  window.dispatchEvent(new CustomEvent("descent:key-changed"));
}

export function authHeaders(): Record<string, string> {
  const key = getKey();
  return key ? { authorization: `Bearer ${key}` } : {};
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** Any 401 asks the person for a key (main.ts listens). */
function unauthorized(problem: Problem): void {
  window.dispatchEvent(new CustomEvent("descent:unauthorized", { detail: problem }));
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(path, { ...init, headers: { accept: "application/json", ...authHeaders(), ...(init.headers as Record<string, string> | undefined) } });
  if (!res.ok) {
    let problem: Problem = { status: res.status, title: res.statusText };
    try {
      problem = { status: res.status, ...(await res.json()) };
    } catch {
      /* not JSON */
    }
    if (res.status === 401) unauthorized(problem);
    throw new ApiError(res.status, problem);
  }
  return res;
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await request(path, init);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export function post<T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  return api<T>(path, {
    method: "POST",
    signal,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
}

/** Downloads a file that needs the key (a plain link cannot send it). */
export async function download(path: string, filename: string): Promise<void> {
  const res = await request(path, { headers: { accept: "*/*" } });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The shapes the dashboard reads: the SDK's types, generated from the API's
// OpenAPI document (src/sdk/schema.d.ts), so a change of the contract that
// the dashboard does not follow fails its type-check.

import type { Dataset, EpochMetric, FeatureStatistics, Job, JobComparison, Prediction, RegisteredModel, Sweep, TrainedModel } from "../../src/sdk/index";

export type { Dataset, EpochMetric, FeatureStatistics, Job, JobComparison, Prediction, RegisteredModel, Sweep };
export type Model = TrainedModel;
export type JobStatus = Job["status"];
export type StatusChange = Job["history"][number];
export type ModelMetrics = Model["metrics"];
export type LayerSummary = Model["layers"][number];
/** A job's model: a spec, or a transfer from a stored model. */
export type JobModel = Job["model"];
export type ModelSpec = Model["spec"];
export type LayerSpec = ModelSpec["layers"][number];

export const jobStatuses: JobStatus[] = ["queued", "running", "paused", "succeeded", "failed", "cancelled"];
export const endedStatuses: JobStatus[] = ["succeeded", "failed", "cancelled"];

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
