/**
 * @module
 * Environment names as the metrics group them.
 */

const ALIASES: Record<string, string> = {
  production: "production",
  prod: "production",
  prd: "production",
  live: "production",
  staging: "staging",
  stage: "staging",
  stg: "staging",
  testing: "testing",
  test: "testing",
  qa: "testing",
  development: "development",
  dev: "development",
};

/**
 * Normalises an environment name; unknown names are kept, lower-cased.
 * @example normalizeEnvironment("Prod") // "production"
 */
export function normalizeEnvironment(raw: string): string {
  const key = raw.trim().toLowerCase();
  return ALIASES[key] ?? key;
}
