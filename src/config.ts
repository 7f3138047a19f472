/**
 * @module
 * The Worker's settings (wrangler vars and secrets), parsed and validated once per env object.
 * Workers have no start-up hook with the env, so a bad value fails the first request, cron or
 * alarm that reads it, with a 503 naming the setting, logged once.
 */
import { z } from "zod";
import type { Env } from "./env";
import { corsOrigins } from "./http/cors";
import { ApiError } from "./http/errors";
import { defaultRateLimit } from "./ingest/rate-limit";
import type { RateLimit } from "./ingest/protocol";
import { parseEnvironmentAliases, type EnvironmentAliases } from "./lib/environment";
import { rawRetentionDays } from "./raw/retention";

/** The link window when `LINK_WINDOW_HOURS` is unset or empty: one week. */
const DEFAULT_LINK_WINDOW_HOURS = 168;

/** A setting parsed by `parse`, whose error (naming the setting) becomes the issue's message. */
const setting = <T>(parse: (value: string | undefined) => T) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parse(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    });

function linkWindowHours(value: string | undefined): number {
  const text = (value ?? "").trim();
  if (text === "") return DEFAULT_LINK_WINDOW_HOURS;
  const hours = Number(text);
  if (!Number.isFinite(hours) || hours <= 0) throw new Error(`LINK_WINDOW_HOURS must be a positive number of hours, or empty for ${DEFAULT_LINK_WINDOW_HOURS}; got ${JSON.stringify(value).slice(0, 40)}`);
  return hours;
}

const schema = z.object({
  ADMIN_TOKEN: z.string({ error: "ADMIN_TOKEN is not set: add it as a Worker secret" }).min(1, "ADMIN_TOKEN is empty: set it as a Worker secret"),
  LINK_WINDOW_HOURS: setting(linkWindowHours),
  // Each limit on its own, so that both are named when both are bad.
  RATE_LIMIT_PER_SECOND: setting((value) => defaultRateLimit(value, undefined).requests_per_second),
  RATE_LIMIT_BURST: setting((value) => defaultRateLimit(undefined, value).burst),
  CORS_ORIGINS: setting(corsOrigins),
  ENVIRONMENT_ALIASES: setting(parseEnvironmentAliases),
  RAW_RETENTION_DAYS: setting(rawRetentionDays),
});

export interface Config {
  linkWindowHours: number;
  /** The per-integration rate limit of integrations that set none of their own. */
  rateLimit: RateLimit;
  corsOrigins: string[];
  environmentAliases: EnvironmentAliases;
  /** Days to keep original payloads; null keeps them forever. */
  rawRetentionDays: number | null;
}

/** The settings a config is read from: the env, or the part of it a caller has. */
export type ConfigVars = Partial<Pick<Env, "ADMIN_TOKEN" | "LINK_WINDOW_HOURS" | "RATE_LIMIT_PER_SECOND" | "RATE_LIMIT_BURST" | "CORS_ORIGINS" | "ENVIRONMENT_ALIASES" | "RAW_RETENTION_DAYS">>;

const memo = new WeakMap<object, Config | ApiError>();

/** The settings of `env`; throws a 503 `ApiError` naming every bad setting. */
export function configOf(env: ConfigVars): Config {
  let result = memo.get(env);
  if (result === undefined) {
    const parsed = schema.safeParse(env);
    if (parsed.success) {
      const vars = parsed.data;
      result = {
        linkWindowHours: vars.LINK_WINDOW_HOURS,
        rateLimit: { requests_per_second: vars.RATE_LIMIT_PER_SECOND, burst: vars.RATE_LIMIT_BURST },
        corsOrigins: vars.CORS_ORIGINS,
        environmentAliases: vars.ENVIRONMENT_ALIASES,
        rawRetentionDays: vars.RAW_RETENTION_DAYS,
      };
    } else {
      const problems = parsed.error.issues.map((issue) => issue.message).join("; ");
      // Logged once per env object: every request is refused until the operator fixes it.
      console.error(`configuration refused: ${problems}`);
      result = ApiError.of(503, `the receiver is misconfigured: ${problems}; requests are refused until the setting is fixed`);
    }
    memo.set(env, result);
  }
  if (result instanceof ApiError) throw result;
  return result;
}
