// How a training run can end without success, in one place: each kind of
// error, and its wire form for the trip from the training thread to the
// worker, which decides from it alone whether the queue retries the job.

export type FailureCode = "NON_FINITE_LOSS" | "INVALID_SPEC" | "INVALID_DATA" | "DATASET_MISSING" | "STALLED_TOO_OFTEN" | "TIME_LIMIT_EXCEEDED" | "INTERNAL";

/** A failure that retrying cannot fix; the job is marked failed. */
export class JobFailure extends Error {
  override name = "JobFailure";
  constructor(
    readonly code: FailureCode,
    message: string,
    readonly epoch?: number,
    readonly batch?: number,
  ) {
    super(message);
  }
}

/** Another attempt owns the job (this worker lost its lock): stop without writing. */
export class FencedOut extends Error {
  override name = "FencedOut";
  static of(jobId: string, attempt: number): FencedOut {
    return new FencedOut(`job ${jobId}: attempt ${attempt} is no longer current; stopping without writing`);
  }
}

/** The worker is shutting down: the job stays running and resumes elsewhere from its checkpoint. */
export class Released extends Error {
  override name = "Released";
  static of(jobId: string, where: string): Released {
    return new Released(`job ${jobId} released at ${where} for another worker to resume`);
  }
}

/**
 * What the worker does with the queue entry of a run that threw:
 * - `release`: put it back to wait (shutdown; another worker resumes it);
 * - `final`: do not retry (the job has ended, or is another attempt's);
 * - `retry`: let the queue retry it with backoff (a transient error).
 */
export type ErrorDisposition = "release" | "final" | "retry";

/** An error as plain data, for postMessage. */
export interface WireError {
  name: string;
  message: string;
  disposition: ErrorDisposition;
  code?: FailureCode;
  epoch?: number;
  batch?: number;
}

export function toWireError(error: unknown): WireError {
  const err = error instanceof Error ? error : new Error(String(error));
  const disposition: ErrorDisposition = err instanceof Released ? "release" : err instanceof JobFailure || err instanceof FencedOut ? "final" : "retry";
  return {
    name: err.name,
    message: err.message,
    disposition,
    ...(err instanceof JobFailure ? { code: err.code, epoch: err.epoch, batch: err.batch } : {}),
  };
}
