/** What the client keeps of a cacheable answer: its validator and its decoded body. */
export interface CacheEntry {
  etag: string;
  value: unknown;
}

/**
 * Where the client keeps ETags and bodies between requests. It may be asynchronous, so a
 * static-site build can keep it on disk and ask only "has this changed?" on the next build.
 */
export interface ETagCache {
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

/**
 * An in-memory ETagCache holding at most `maxEntries` answers, dropping the least recently
 * used first.
 */
export class MemoryCache implements ETagCache {
  readonly #entries = new Map<string, CacheEntry>();
  readonly #max: number;

  constructor(maxEntries = 500) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError("MemoryCache: maxEntries must be a positive integer");
    }
    this.#max = maxEntries;
  }

  get(key: string): CacheEntry | undefined {
    const e = this.#entries.get(key);
    if (e !== undefined) {
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, e);
    }
    return e;
  }

  set(key: string, entry: CacheEntry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** The number of answers held. */
  get size(): number {
    return this.#entries.size;
  }
}
