// Decoded datasets a training thread keeps for its next jobs. A dataset's
// arrays never change once stored (deleting one clears them and sets
// deletedAt, and is refused while a job uses it), so an entry is valid as long
// as the checksum the job's claim read matches the one it was loaded with.

import { LRUCache } from "lru-cache";

/** 256 MiB of arrays per training thread. */
export const DEFAULT_DATASET_CACHE_BYTES = 256 * 1024 * 1024;

interface Arrays {
  checksum: string;
  features: Float32Array;
  labels: Float32Array;
}

export interface DatasetCache<T extends Arrays> {
  /** The dataset from the cache when its checksum matches, else from `load` (kept when it fits). */
  get(id: string, checksum: string, load: () => Promise<T | null>): Promise<T | null>;
}

export function createDatasetCache<T extends Arrays>(maxBytes: number): DatasetCache<T> {
  if (maxBytes <= 0) return { get: (_id, _checksum, load) => load() };
  // lru-cache keeps no entry larger than maxSize: setting one drops the key instead.
  const entries = new LRUCache<string, T>({ maxSize: maxBytes, sizeCalculation: (dataset) => Math.max(1, dataset.features.byteLength + dataset.labels.byteLength) });
  return {
    async get(id, checksum, load) {
      const cached = entries.get(id);
      if (cached?.checksum === checksum) return cached;
      const dataset = await load();
      if (dataset) entries.set(id, dataset);
      else entries.delete(id);
      return dataset;
    },
  };
}
