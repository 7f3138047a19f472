/**
 * @module
 * DevLake matches payload keys case-insensitively (Go's decoders do), and its two payload
 * generations spell the same field `commit_sha` and `commitSha`. This maps every spelling onto
 * one canonical key before validation, so errors name the field as the documentation does.
 */

/** `Commit_SHA`, `commitSha` and `commit_sha` all squash to `commitsha`. */
function squash(key: string): string {
  return key.replace(/_/g, "").toLowerCase();
}

/**
 * Renames the keys of `value` (when it is a plain object) that match one of `names` in any case,
 * with or without underscores, to that name; other keys are kept as they are. When several
 * spellings of one field are present, the first one with a value wins.
 *
 * @example canonicalKeys({ CommitSha: "a1" }, ["commit_sha"]) // { commit_sha: "a1" }
 */
export function canonicalKeys(value: unknown, names: readonly string[]): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const byKey = new Map(names.map((n) => [squash(n), n]));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = byKey.get(squash(key)) ?? key;
    if (out[name] === undefined || out[name] === null) out[name] = v;
  }
  return out;
}
