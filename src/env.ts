/**
 * @module
 * The Worker's bindings, as wrangler.toml and its secrets declare them.
 */
import type { ErrorFormat } from "./http/errors";
import type { IntegrationObject } from "./ingest/integration-object";

export interface Env {
  DB: D1Database;
  /** Every accepted delivery's original body, gzipped, packed one object per drain batch. */
  RAW: R2Bucket;
  /** Days to keep original payloads in R2; empty keeps them forever. */
  RAW_RETENTION_DAYS?: string;
  INTEGRATION: DurableObjectNamespace<IntegrationObject>;
  /** Admin bearer token (a Worker secret). */
  ADMIN_TOKEN: string;
  /** The admin token that replaces `ADMIN_TOKEN` during a rotation; both are accepted while set. */
  ADMIN_TOKEN_NEXT?: string;
  /** Default per-integration rate limit: requests per second sustained, and burst. */
  RATE_LIMIT_PER_SECOND?: string;
  RATE_LIMIT_BURST?: string;
  LINK_WINDOW_HOURS: string;
  /** Extra environment names mapped onto normalised ones (`prod-eu:production,prod-us:production`). */
  ENVIRONMENT_ALIASES?: string;
  CORS_ORIGINS: string;
}

/** Hono's type parameter for this app. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Set by a vendor's routes so that their rejections take the vendor's error shape. */
    errorFormat?: ErrorFormat;
    /** Set by a route whose integration is known only from its credential, so its rejections are kept. */
    integrationId?: string;
  };
}
