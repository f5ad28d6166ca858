import { Ajv, type ErrorObject, type Options, type ValidateFunction } from "ajv";
import type { FastifyInstance } from "fastify";

const shared: Options = {
  // OpenAPI's discriminator keyword makes tagged unions (layers) report the
  // errors of the matching branch only.
  discriminator: true,
  strict: false,
  useDefaults: false,
};

/**
 * Bodies with at most this many values get every error reported; larger
 * ones only the first. Reporting all errors costs an object per bad value:
 * 16 million bad numbers once held the API for minutes at 4.6 GB.
 */
export const FULL_REPORT_MAX_VALUES = 10_000;

/**
 * JSON bodies are validated without type coercion (null must not become 0,
 * "3" must not become 3) and unknown properties are rejected, not dropped.
 * Query strings and params are text, so they are coerced ("20" -> 20).
 */
export function installValidators(app: FastifyInstance): void {
  // verbose: errors carry their schema, so an unknown layer type can list the known ones.
  const body = { ...shared, coerceTypes: false, removeAdditional: false, verbose: true } as const;
  const firstErrorAjv = new Ajv({ ...body, allErrors: false });
  const allErrorsAjv = new Ajv({ ...body, allErrors: true });
  // Query strings, params and headers are small (bounded by the header size limit).
  const textAjv = new Ajv({ ...shared, allErrors: true, coerceTypes: "array", removeAdditional: false });
  for (const ajv of [firstErrorAjv, allErrorsAjv, textAjv]) ajv.addFormat("date-time", true).addFormat("binary", true);

  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart !== "body") return textAjv.compile(schema);
    return boundedValidator(firstErrorAjv.compile(schema), allErrorsAjv.compile(schema));
  });
}

/**
 * Validates in one pass that stops at the first error; only when the body is
 * small is it validated again to report all its errors. The work is linear
 * in the body's size either way, and the errors' memory bounded.
 */
function boundedValidator(firstError: ValidateFunction, allErrors: ValidateFunction) {
  const validate = (data: unknown): boolean => {
    if (firstError(data)) {
      validate.errors = null;
      return true;
    }
    validate.errors = firstError.errors ?? null;
    if (countValues(data, FULL_REPORT_MAX_VALUES) < FULL_REPORT_MAX_VALUES && !allErrors(data)) validate.errors = allErrors.errors ?? null;
    return false;
  };
  validate.errors = null as ErrorObject[] | null;
  return validate;
}

/** The number of values (scalars, arrays and objects) in a JSON value, counting no further than `limit`. */
export function countValues(data: unknown, limit: number): number {
  const stack: unknown[] = [data];
  let count = 0;
  while (stack.length > 0 && count < limit) {
    const value = stack.pop();
    count++;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length && stack.length < limit; i++) stack.push(value[i]);
    } else if (value !== null && typeof value === "object") {
      for (const key in value) {
        stack.push((value as Record<string, unknown>)[key]);
        if (stack.length >= limit) break;
      }
    }
  }
  return count + stack.length;
}
