// The TypeScript client of descent: openapi-fetch typed by the types that
// `npm run sdk` generates from the server's OpenAPI document, plus helpers for
// what a typed fetch does not cover (CSV uploads, following a job's events).

import createClient, { type Client } from "openapi-fetch";
import type { Readable } from "openapi-typescript-helpers";
import type { components, paths } from "./schema.js";
import { DescentApiError, type Problem } from "./errors.js";
import { followJob, type FollowOptions, type FollowResult, type JobEvent } from "./events.js";

export type { components, paths } from "./schema.js";
export type { FollowOptions, FollowResult, JobEvent } from "./events.js";
export { DescentApiError, type Problem } from "./errors.js";

/**
 * The API's named schemas (components.schemas of /openapi.json), as the
 * client returns them: Readable<> is openapi-fetch's own mapping of response
 * bodies, so a value the client returns has exactly this type.
 */
type Schema<Name extends keyof components["schemas"]> = Readable<components["schemas"][Name]>;

export type Dataset = Schema<"Dataset">;
export type Job = Schema<"Job">;
export type JobInput = components["schemas"]["JobInput"];
export type EpochMetric = Schema<"EpochMetric">;
export type TrainedModel = Schema<"Model">;
export type Prediction = Schema<"Prediction">;
export type ModelSpec = components["schemas"]["ModelSpec"];
export type LayerSpec = components["schemas"]["LayerSpec"];
export type TrainingConfig = components["schemas"]["TrainingConfig"];
export type FeatureStatistics = Schema<"FeatureStatistics">;
export type Sweep = Schema<"Sweep">;
export type JobComparison = Schema<"JobComparison">;
export type DryRun = Schema<"DryRun">;
export type RegisteredModel = Schema<"RegisteredModel">;

export interface DescentClientOptions {
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** A project's API key, sent as `Authorization: Bearer <key>`; leave it out against a server with DESCENT_AUTH=off. */
  apiKey?: string;
  /** A fetch of your own (tests, proxies). @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

/** The query of a CSV upload (POST /v1/datasets): the label column, and the upload's other choices (types, ignore, missing, delimiter, decimal, kind, ...). */
export type CsvUploadQuery = NonNullable<paths["/v1/datasets"]["post"]["parameters"]["query"]> & { label: string };

// Answers are typed as their JSON (routes that also answer CSV on request give JSON by default).
export type DescentClient = Client<paths, "application/json"> & {
  /** Uploads CSV text (a header row, then one row per sample) as a dataset; `label` names the label column. */
  uploadCsv(csv: string, query: CsvUploadQuery): Promise<Dataset>;
  /** POST /v1/jobs: queues a job (typed as the job; the raw POST also covers ?dryRun=true). */
  submitJob(body: JobInput): Promise<Job>;
  /** POST /v1/jobs?dryRun=true: what the job would train and cost; nothing is created. */
  dryRun(body: JobInput): Promise<DryRun>;
  /** Follows GET /v1/jobs/{id}/events until `done` (reconnecting with Last-Event-ID if the stream drops). */
  followJob(jobId: string, onEvent: (event: JobEvent) => void, options?: FollowOptions): Promise<FollowResult>;
};

export function createDescentClient({ baseUrl, apiKey, fetch: fetchImpl = globalThis.fetch }: DescentClientOptions): DescentClient {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const client = createClient<paths, "application/json">({ baseUrl, headers, fetch: (request) => fetchImpl(request) });
  return Object.assign(client, {
    async uploadCsv(csv: string, query: CsvUploadQuery) {
      return data(
        await client.POST("/v1/datasets", {
          params: { query },
          body: csv as never,
          bodySerializer: (body) => body as string,
          headers: { "content-type": "text/csv" },
        }),
      ) as Dataset;
    },
    async submitJob(body: JobInput) {
      return data(await client.POST("/v1/jobs", { body })) as Job;
    },
    async dryRun(body: JobInput) {
      return data(await client.POST("/v1/jobs", { body, params: { query: { dryRun: true } } })) as DryRun;
    },
    followJob(jobId: string, onEvent: (event: JobEvent) => void, options: FollowOptions = {}) {
      return followJob({ baseUrl, headers, fetch: fetchImpl }, jobId, onEvent, options);
    },
  });
}

/** The body of a successful answer, or throws DescentApiError with the problem details. */
export function data<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  throw new DescentApiError(result.response.status, result.error as Problem | undefined);
}
