// What every view gets and shares: its context, and the error card. Apart
// from main.ts (the router), so that views never import the router back.

import { ApiError } from "./api";
import { h, replace } from "./dom";

export interface ViewContext {
  root: HTMLElement;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Aborted when the person leaves the view: stop timers and streams. */
  signal: AbortSignal;
}

export function showError(root: HTMLElement, error: unknown): void {
  if (error instanceof ApiError && error.status === 401) return; // the key screen takes over
  const title = error instanceof ApiError ? (error.status === 404 ? "Not found" : error.problem.title ?? `Error ${error.status}`) : "Something went wrong";
  const detail = error instanceof Error ? error.message : String(error);
  replace(root, h("div", { class: "card error-card", role: "alert" }, h("h2", null, title), h("p", null, detail), h("a", { href: "#/jobs" }, "← Back to the jobs")));
}

