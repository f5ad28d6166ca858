// Verified API keys kept per API process, so that a known key costs no
// Postgres lookup on every request. Revocation still takes effect at once in
// every process: each revocation changes a shared value (Redis), every
// lookup reads it first, and a changed value empties the cache.

/** Where API processes learn that some key was revoked (Redis in production: src/queue/key-revocations.ts). */
export interface RevocationSignal {
  /** A value that changes at every revocation (null before the first); rejects when it cannot be read. */
  current(): Promise<string | null>;
  /** Changes the value, for every process; rejects when it cannot. */
  announce(): Promise<void>;
}

export interface VerifiedKey {
  id: string;
  projectId: string;
}

export interface VerifiedKeyCacheOptions {
  signal: RevocationSignal;
  /** Longest an entry is trusted without a Postgres lookup, in ms: a bound should an announcement be lost. @defaultValue 60000 */
  ttlMs?: number;
  /** Entries kept; the oldest goes first. @defaultValue 10000 */
  maxEntries?: number;
  now?: () => number;
}

export function createVerifiedKeyCache({ signal, ttlMs = 60_000, maxEntries = 10_000, now = Date.now }: VerifiedKeyCacheOptions) {
  const entries = new Map<string, { key: VerifiedKey; expiresAt: number }>();
  /** The revocation value the entries were verified under; undefined: not read yet. */
  let verifiedUnder: string | null | undefined;

  return {
    /**
     * The key whose hash is `hash`: from the cache when it was verified since
     * the last revocation, else from `load` (null: unknown or revoked), which
     * is then cached. When the revocation value cannot be read, nothing is
     * trusted: the cache is emptied and `load` answers.
     */
    async lookUp(hash: string, load: () => Promise<VerifiedKey | null>): Promise<VerifiedKey | null> {
      let revision: string | null;
      try {
        revision = await signal.current();
      } catch {
        entries.clear();
        verifiedUnder = undefined;
        return load();
      }
      if (revision !== verifiedUnder) {
        entries.clear();
        verifiedUnder = revision;
      }
      const hit = entries.get(hash);
      if (hit && hit.expiresAt > now()) return hit.key;
      entries.delete(hash);
      const key = await load();
      // Read before `load`, the value proves the key was active after the last revocation announced,
      // unless another lookup has seen a newer one meanwhile.
      if (key && verifiedUnder === revision) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(hash, { key, expiresAt: now() + ttlMs });
      }
      return key;
    },

    /** Empties this process's cache (it just revoked a key; others learn it from the signal). */
    clear(): void {
      entries.clear();
    },
  };
}

export type VerifiedKeyCache = ReturnType<typeof createVerifiedKeyCache>;
