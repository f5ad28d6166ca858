// The TypeScript client of descent: openapi-fetch typed by the types that
// `npm run sdk` generates from the server's OpenAPI document, plus helpers for
// what a typed fetch does not cover (CSV uploads, following a job's events).

import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema.js";
import { DescentApiError, type Problem } from "./errors.js";
import { followJob, type FollowOptions, type FollowResult, type JobEvent } from "./events.js";

export type { paths } from "./schema.js";
export type { FollowOptions, FollowResult, JobEvent } from "./events.js";
export { DescentApiError, type Problem } from "./errors.js";

type Json<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { "application/json": infer T } } };
}
  ? T
  : never;

export type Dataset = Json<"/v1/datasets/{id}", "get", 200>;
export type Job = Json<"/v1/jobs/{id}", "get", 200>;
export type JobInput = paths["/v1/jobs"]["post"]["requestBody"]["content"]["application/json"];
export type EpochMetric = Json<"/v1/jobs/{id}/metrics", "get", 200>["data"][number];
export type TrainedModel = Json<"/v1/models/{id}", "get", 200>;
export type Prediction = Json<"/v1/models/{id}/predict", "post", 200>;

export interface DescentClientOptions {
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** A project's API key, sent as `Authorization: Bearer <key>`; leave it out against a server with DESCENT_AUTH=off. */
  apiKey?: string;
  /** A fetch of your own (tests, proxies). @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

export type DescentClient = Client<paths> & {
  /** Uploads CSV text (a header row, then one row per sample) as a dataset; `label` names the label column. */
  uploadCsv(csv: string, query: { label: string; name?: string; task?: "classification" | "regression" }): Promise<Dataset>;
  /** Follows GET /v1/jobs/{id}/events until `done` (reconnecting with Last-Event-ID if the stream drops). */
  followJob(jobId: string, onEvent: (event: JobEvent) => void, options?: FollowOptions): Promise<FollowResult>;
};

export function createDescentClient({ baseUrl, apiKey, fetch: fetchImpl = globalThis.fetch }: DescentClientOptions): DescentClient {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const client = createClient<paths>({ baseUrl, headers, fetch: (request) => fetchImpl(request) });
  return Object.assign(client, {
    async uploadCsv(csv: string, query: { label: string; name?: string; task?: "classification" | "regression" }) {
      return data(
        await client.POST("/v1/datasets", {
          params: { query },
          body: csv as never,
          bodySerializer: (body) => body as string,
          headers: { "content-type": "text/csv" },
        }),
      ) as Dataset;
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
