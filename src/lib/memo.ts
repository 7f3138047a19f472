/**
 * @module
 * Values memoised per isolate: bounded (all are forgotten once `maxEntries` keys are held, which
 * costs less than tracking use), and forgotten after `ttlMs` when one is given.
 */

export class Memo<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly options: { maxEntries: number; ttlMs?: number }) {}

  /** The value memoised for `key`, unless it has expired. */
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined || (hit.until !== Infinity && hit.until <= Date.now())) return undefined;
    return hit.value;
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.options.maxEntries) this.entries.clear();
    this.entries.set(key, { value, until: this.options.ttlMs === undefined ? Infinity : Date.now() + this.options.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
