import { describe, expect, it } from "vitest";
import { createModel, exportWeights, importWeights, type ModelSpec } from "../../src/engine/index.js";

const spec: ModelSpec = {
  inputShape: [3],
  layers: [{ type: "dense", units: 4, activation: "relu" }, { type: "batchNorm" }, { type: "dense", units: 2, activation: "softmax", useBias: false }],
};

describe("weights serialization", () => {
  it("lists every weight with its name, shape and offset", () => {
    const { manifest, data } = exportWeights(createModel(spec, 1));
    expect(manifest).toEqual([
      { name: "layer0/dense/kernel", shape: [3, 4], offset: 0 },
      { name: "layer0/dense/bias", shape: [4], offset: 12 },
      { name: "layer1/batchNorm/gamma", shape: [4], offset: 16 },
      { name: "layer1/batchNorm/beta", shape: [4], offset: 20 },
      { name: "layer1/batchNorm/movingMean", shape: [4], offset: 24 },
      { name: "layer1/batchNorm/movingVariance", shape: [4], offset: 28 },
      { name: "layer2/dense/kernel", shape: [4, 2], offset: 32 },
    ]);
    expect(data.byteLength).toBe(40 * 4);
  });

  it("writes little-endian float32", () => {
    const { manifest, data } = exportWeights(createModel(spec, 1));
    const gamma = manifest.find((w) => w.name.endsWith("gamma"))!;
    expect([...data.subarray(gamma.offset * 4, gamma.offset * 4 + 4)]).toEqual([0x00, 0x00, 0x80, 0x3f]); // 1.0f
  });

  it("round-trips exactly: same weights, same predictions, same bytes", () => {
    const source = createModel(spec, 1);
    const target = createModel(spec, 2);
    const x = new Float32Array([0.1, -0.5, 2, 3, 1, -1]);
    expect(target.predict(x, 2)).not.toEqual(source.predict(x, 2));
    const { manifest, data } = exportWeights(source);
    importWeights(target, manifest, data);
    expect(target.predict(x, 2)).toEqual(source.predict(x, 2));
    expect(exportWeights(target).data).toEqual(data);
  });

  it("rejects a manifest of another shape and leaves the model unchanged", () => {
    const other = createModel({ ...spec, inputShape: [5] }, 1);
    const model = createModel(spec, 1);
    const before = exportWeights(model).data;
    const { manifest, data } = exportWeights(other);
    expect(() => importWeights(model, manifest, data)).toThrow(/layer0\/dense\/kernel \[3, 4\].*\[5, 4\]/);
    expect(exportWeights(model).data).toEqual(before);
  });

  it("rejects a buffer that is too short", () => {
    const model = createModel(spec, 1);
    const { manifest, data } = exportWeights(model);
    expect(() => importWeights(model, manifest, data.subarray(0, 20))).toThrow(/past the end/);
  });
});
