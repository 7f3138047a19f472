/**
 * @module
 * The Worker's bindings: wrangler.toml's, generated into src/worker-configuration.d.ts by
 * `npm run cf-typegen`, and the secrets, which wrangler.toml does not declare.
 */
import type { ErrorFormat } from "./http/errors";

declare global {
  namespace Cloudflare {
    interface Env {
      /** Admin bearer token (a Worker secret). */
      ADMIN_TOKEN: string;
      /** The admin token that replaces `ADMIN_TOKEN` during a rotation; both are accepted while set. */
      ADMIN_TOKEN_NEXT?: string;
    }
  }
}

export type Env = Cloudflare.Env;

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
