import { describe, expect, it } from "vitest";
import { createDatasetCache } from "../../src/services/dataset-cache.js";

const dataset = (checksum: string, floats: number) => ({ checksum, features: new Float32Array(floats), labels: new Float32Array(0) });

describe("the dataset cache of a training thread", () => {
  it("loads a dataset once while its checksum matches, and again when it does not", async () => {
    const cache = createDatasetCache<ReturnType<typeof dataset>>(1024);
    let loads = 0;
    const load = (checksum: string) => async () => (loads++, dataset(checksum, 16));
    const first = await cache.get("ds_a", "c1", load("c1"));
    expect(await cache.get("ds_a", "c1", load("c1"))).toBe(first);
    expect(loads).toBe(1);
    const other = await cache.get("ds_a", "c2", load("c2"));
    expect(other).not.toBe(first);
    expect(loads).toBe(2);
  });

  it("keeps at most its bytes, dropping the least recently used, and never a dataset larger than itself", async () => {
    const cache = createDatasetCache<ReturnType<typeof dataset>>(160); // room for two 64-byte datasets
    const loaded: string[] = [];
    const get = (id: string, floats = 16) => cache.get(id, "c", async () => (loaded.push(id), dataset("c", floats)));
    await get("a");
    await get("b");
    await get("a"); // a is now the most recent
    await get("c"); // evicts b
    await get("a");
    await get("b");
    expect(loaded).toEqual(["a", "b", "c", "b"]);
    await get("huge", 100);
    await get("huge", 100);
    expect(loaded.slice(4)).toEqual(["huge", "huge"]);
  });

  it("does not keep a missing dataset, and with no bytes keeps nothing", async () => {
    const cache = createDatasetCache<ReturnType<typeof dataset>>(0);
    let loads = 0;
    await cache.get("a", "c", async () => (loads++, dataset("c", 4)));
    await cache.get("a", "c", async () => (loads++, dataset("c", 4)));
    expect(loads).toBe(2);
    const missing = createDatasetCache<ReturnType<typeof dataset>>(1024);
    expect(await missing.get("gone", "c", async () => null)).toBeNull();
  });
});
