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

// The shapes the dashboard reads (see /openapi.json for the full contract).

export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";
export const jobStatuses: JobStatus[] = ["queued", "running", "succeeded", "failed", "cancelled"];
export const endedStatuses: JobStatus[] = ["succeeded", "failed", "cancelled"];

export interface LayerSpec {
  type: string;
  [key: string]: unknown;
}

export interface ModelSpec {
  inputShape?: number[];
  layers?: LayerSpec[];
  frozenLayers?: number;
  baseModelId?: string;
  [key: string]: unknown;
}

export interface Metrics {
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface StatusChange {
  status: JobStatus;
  at: string;
  message: string;
}

export interface Job {
  id: string;
  status: JobStatus;
  datasetId: string;
  model: ModelSpec;
  training: Record<string, unknown> & { epochs?: number; optimizer?: { type?: string; learningRate?: number } };
  epoch: number;
  totalEpochs: number;
  attempt: number;
  bestMetrics: Metrics | null;
  error: { code: string; message: string; epoch?: number; batch?: number } | null;
  resultModelId: string | null;
  cancelRequested: boolean;
  history: StatusChange[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface EpochMetric {
  epoch: number;
  loss: number;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  learningRate: number;
  durationMs: number;
}

export interface ModelMetrics extends Metrics {
  epochs: number;
  keptEpoch: number;
  stopped: "completed" | "earlyStopping" | "cancelled";
  augmentation?: string[];
  classMetrics?: { on: "validation" | "training"; confusionMatrix?: number[][]; precision: number[]; recall: number[] };
}

export interface LayerSummary {
  index: number;
  type: string;
  outputShape: number[];
  parameterCount: number;
  frozen?: boolean;
  trainable?: boolean;
}

export interface Model {
  id: string;
  sourceJobId: string;
  datasetId: string;
  spec: ModelSpec;
  layers: LayerSummary[];
  parameterCount: number;
  inputShape: number[];
  outputSize: number;
  classNames: string[];
  metrics: ModelMetrics;
  createdAt: string;
  /** Transfer learning: the model this one started from and what was kept, dropped, added and frozen; null otherwise. */
  lineage?: { baseModelId: string; keptLayers: number; droppedLayers: number; addedLayers: number; frozenLayers: number } | null;
  baseModelId?: string | null;
}

export interface FeatureStatistics {
  name: string;
  min: number;
  max: number;
  mean: number;
  std: number;
  missing: number;
}

export interface Dataset {
  id: string;
  name: string;
  numSamples: number;
  numFeatures: number;
  inputShape: number[];
  task: "classification" | "regression";
  numClasses: number;
  classNames: string[];
  classCounts: number[];
  featureNames: string[];
  checksum: string;
  statistics: { features: FeatureStatistics[] };
  createdAt: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface Prediction {
  outputs: number[][];
  classes?: number[];
  classNames?: string[];
}
