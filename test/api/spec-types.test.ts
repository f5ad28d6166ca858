import { describe, expect, expectTypeOf, it } from "vitest";
import type * as engine from "../../src/engine/index.js";
import { checkSpecFitsData } from "../../src/engine/index.js";
import { activationNames } from "../../src/spec/model-spec.js";
import type { ModelSpec } from "../../src/spec/model-spec.js";
import { lossNames, optimizerNames, type TrainingConfig } from "../../src/spec/training-config.js";
import type { ResolvedTrainingConfig } from "../../src/services/job-validation.js";

// The API's TypeBox schemas (src/spec) and the engine's types describe the
// same JSON. The type assertions fail `npm run typecheck`; the runtime ones
// fail here when a name the API accepts is one the engine does not know.

describe("API schemas and engine types", () => {
  it("accept the same specs and configs", () => {
    expectTypeOf<ModelSpec>().toExtend<engine.ModelSpec>();
    expectTypeOf<engine.ModelSpec>().toExtend<ModelSpec>();
    expectTypeOf<ResolvedTrainingConfig>().toExtend<engine.TrainingConfig>();
    expectTypeOf<TrainingConfig["loss"]>().toEqualTypeOf<engine.LossName>();
    expectTypeOf<TrainingConfig["optimizer"]["type"]>().toEqualTypeOf<engine.OptimizerConfig["type"]>();
  });

  it.each(lossNames.flatMap((loss) => optimizerNames.map((optimizer) => [loss, optimizer] as const)))(
    "the engine accepts loss %s with optimizer %s",
    (loss, optimizer) => {
      const regression = loss === "meanSquaredError" || loss === "meanAbsoluteError";
      const binary = loss === "binaryCrossentropy";
      const units = binary || regression ? 1 : 3;
      const spec = { inputShape: [4], layers: [{ type: "dense" as const, units, activation: binary ? ("sigmoid" as const) : regression ? ("linear" as const) : ("softmax" as const) }] };
      const data = { numFeatures: 4, numClasses: regression ? 0 : binary ? 2 : 3, numSamples: 10 };
      const training = { epochs: 1, batchSize: 2, seed: 0, loss, optimizer: { type: optimizer, learningRate: 0.1 } };
      expect(() => checkSpecFitsData(spec, training, data)).not.toThrow();
    },
  );

  it.each(activationNames)("the engine accepts activation %s", (activation) => {
    const spec = { inputShape: [4], layers: [{ type: "dense" as const, units: 8, activation }, { type: "dense" as const, units: 3, activation: "softmax" as const }] };
    const training = { epochs: 1, batchSize: 2, seed: 0, loss: "categoricalCrossentropy" as const, optimizer: { type: "sgd" as const, learningRate: 0.1 } };
    expect(() => checkSpecFitsData(spec, training, { numFeatures: 4, numClasses: 3, numSamples: 10 })).not.toThrow();
  });
});
