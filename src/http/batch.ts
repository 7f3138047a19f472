/**
 * @module
 * The cap on how many items one batched request may carry.
 */
import { ApiError } from "./errors";

/**
 * Refuses with a 413 naming the limit when `listed` is an array of more than `max` items; any
 * other value is left for the schema to judge.
 * @example capBatch(Array(501), 500, "items") // throws "items: at most 500 items per request, got 501; ..."
 */
export function capBatch(listed: unknown, max: number, field: string): void {
  if (Array.isArray(listed) && listed.length > max) {
    throw ApiError.of(413, `${field}: at most ${max} items per request, got ${listed.length}; split them into several requests`, field);
  }
}
