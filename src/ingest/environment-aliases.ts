/**
 * @module
 * The operator's `ENVIRONMENT_ALIASES` as ingest applies them: parsed once per value, and a
 * malformed value refuses ingest with a 503 that names the setting, rather than storing events
 * under environments the operator did not mean.
 */
import type { Env } from "../env";
import { ApiError } from "../http/errors";
import { parseEnvironmentAliases, type EnvironmentAliases } from "../lib/environment";

let memo: { text: string; result: EnvironmentAliases | ApiError } | undefined;

/** The aliases of `env.ENVIRONMENT_ALIASES`; throws a 503 `ApiError` when the value is malformed. */
export function environmentAliases(env: Pick<Env, "ENVIRONMENT_ALIASES">): EnvironmentAliases {
  const text = env.ENVIRONMENT_ALIASES ?? "";
  if (memo?.text !== text) {
    let result: EnvironmentAliases | ApiError;
    try {
      result = parseEnvironmentAliases(text);
    } catch (error) {
      // Logged once per value: every ingest request is refused until the operator fixes it.
      console.error(`ingest refused: ${String(error)}`);
      result = ApiError.of(503, `the receiver is misconfigured: ${(error as Error).message}; events are refused until the setting is fixed`);
    }
    memo = { text, result };
  }
  if (memo.result instanceof ApiError) throw memo.result;
  return memo.result;
}
