// JSON columns are decoded, not cast: each read goes through the schema of
// what was written, so a row that does not hold what the code expects (an
// old format, a hand edit) fails here, naming the row and the field, rather
// than somewhere downstream as undefined.

import type { Static, TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { BestMetrics, JobError, StatusChange, TrainingChange, Verification } from "../spec/job.js";
import { JobModel, ModelSpec } from "../spec/model-spec.js";
import { Lineage, ModelMetrics, WeightManifest } from "../spec/model.js";
import { TrainingConfig } from "../spec/training-config.js";
import { Type } from "typebox";
import { ColumnReport, DataReport, DatasetStatistics } from "../spec/dataset.js";
import type { Prisma } from "./client.js";

export class StoredDataError extends Error {
  override name = "StoredDataError";
}

function decoder<T extends TSchema>(schema: T) {
  const validator = Compile(schema);
  return (value: unknown, where: string): Static<T> => {
    if (validator.Check(value)) return value as Static<T>;
    const first = [...validator.Errors(value)][0];
    throw new StoredDataError(`${where} does not hold what descent wrote there: ${first?.instancePath || "(value)"} ${first?.message ?? "is not valid"}`);
  };
}

/** A job's model as submitted (a spec, or a transfer from a stored model). */
export const decodeJobModel = decoder(JobModel);
/** A job's training config as stored: the submission with its defaults filled in. */
export const decodeTrainingConfig = decoder(TrainingConfig);
export const decodeBestMetrics = decoder(BestMetrics);
export const decodeJobError = decoder(JobError);
export const decodeStatusChange = decoder(StatusChange);
export const decodeTrainingChange = decoder(TrainingChange);
export const decodeVerification = decoder(Verification);
export const decodeModelSpec = decoder(ModelSpec);
export const decodeWeightManifest = decoder(WeightManifest);
export const decodeModelMetrics = decoder(ModelMetrics);
export const decodeLineage = decoder(Lineage);
export const decodeDatasetStatistics = decoder(DatasetStatistics);
export const decodeColumnReports = decoder(Type.Array(ColumnReport));
export const decodeDataReport = decoder(DataReport);
export const decodeMissingMarkers = decoder(Type.Array(Type.String()));

/** A typed value as a JSON column's input (interfaces have no index signature Prisma's JSON type could check). */
export function toJson(value: object): Prisma.InputJsonValue {
  return value as Prisma.InputJsonValue;
}
