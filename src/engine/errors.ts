/**
 * Errors as data: callers (the API, the worker) read the fields, not the message.
 */

/** A model spec or training config that cannot work; `path` is a JSON pointer into {model, training}. */
export class SpecError extends Error {
  readonly path: string;
  readonly layerIndex?: number;

  constructor(message: string, path: string, layerIndex?: number) {
    super(message);
    this.name = "SpecError";
    this.path = path;
    if (layerIndex !== undefined) this.layerIndex = layerIndex;
  }
}

/** A model that an export format cannot express: the first layer that has no equivalent there. */
export class ExportError extends Error {
  readonly layerIndex: number;
  readonly layerType: string;

  constructor(message: string, layerIndex: number, layerType: string) {
    super(message);
    this.name = "ExportError";
    this.layerIndex = layerIndex;
    this.layerType = layerType;
  }
}

export type TrainingErrorCode = "NON_FINITE_LOSS" | "INVALID_DATA";

/** Training failed at a known point (epoch and batch count from 1; 0 = before the first batch). */
export class TrainingError extends Error {
  readonly code: TrainingErrorCode;
  readonly epoch: number;
  readonly batch: number;

  constructor(code: TrainingErrorCode, message: string, epoch: number, batch: number) {
    super(message);
    this.name = "TrainingError";
    this.code = code;
    this.epoch = epoch;
    this.batch = batch;
  }
}
