/**
 * @module
 * Environment names as the metrics group them, with the operator's extra names
 * (`ENVIRONMENT_ALIASES`).
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

/** Extra environment names mapped onto normalised ones, keys lower-cased. */
export type EnvironmentAliases = Readonly<Record<string, string>>;

/**
 * Parses `ENVIRONMENT_ALIASES` (`name:target,name:target`). Targets are normalised too, so
 * `prod-eu:prod` means production. Throws on an entry that is not `name:target`.
 * @example parseEnvironmentAliases("prod-eu:production, prod-us:production") // { "prod-eu": "production", "prod-us": "production" }
 */
export function parseEnvironmentAliases(text: string | undefined): EnvironmentAliases {
  const aliases: Record<string, string> = {};
  for (const entry of (text ?? "").split(",")) {
    if (entry.trim() === "") continue;
    const match = /^\s*([^:\s][^:]*?)\s*:\s*([^:\s][^:]*?)\s*$/.exec(entry);
    if (!match) throw new Error(`ENVIRONMENT_ALIASES: ${JSON.stringify(entry.trim())} is not name:target`);
    aliases[match[1]!.toLowerCase()] = normalizeEnvironment(match[2]!);
  }
  return aliases;
}

/**
 * Normalises an environment name: the operator's aliases first, then the usual spellings;
 * unknown names are kept, lower-cased.
 * @example normalizeEnvironment("Prod") // "production"
 * @example normalizeEnvironment("prod-eu", { "prod-eu": "production" }) // "production"
 */
export function normalizeEnvironment(raw: string, aliases: EnvironmentAliases = {}): string {
  const key = raw.trim().toLowerCase();
  return aliases[key] ?? ALIASES[key] ?? key;
}
