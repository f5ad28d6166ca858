import { Ajv, type Options } from "ajv";
import type { FastifyInstance } from "fastify";

const shared: Options = {
  allErrors: true,
  // OpenAPI's discriminator keyword makes tagged unions (layers) report the
  // errors of the matching branch only.
  discriminator: true,
  strict: false,
  useDefaults: false,
};

/**
 * JSON bodies are validated without type coercion (null must not become 0,
 * "3" must not become 3) and unknown properties are rejected, not dropped.
 * Query strings and params are text, so they are coerced ("20" -> 20).
 */
export function installValidators(app: FastifyInstance): void {
  // verbose: errors carry their schema, so an unknown layer type can list the known ones.
  const bodyAjv = new Ajv({ ...shared, coerceTypes: false, removeAdditional: false, verbose: true });
  const textAjv = new Ajv({ ...shared, coerceTypes: "array", removeAdditional: false });
  for (const ajv of [bodyAjv, textAjv]) ajv.addFormat("date-time", true).addFormat("binary", true);

  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === "body" ? bodyAjv : textAjv;
    return ajv.compile(schema);
  });
}
