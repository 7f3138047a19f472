/**
 * @module
 * DevGrid deployment events (docs/vendors/devgrid.md): `{"events":[...]}`, each
 * `type: "event-deploy"` with `entityId`, an optional `timestamp` (backfill) and `attributes`.
 */
import { z } from "zod";
import type { DeploymentEvent } from "../../events/canonical";
import { optionalId, optionalText, optionalTimestamp, requiredText, reworkKind } from "../fields";

/** The most events one request may carry. */
export const MAX_DEVGRID_EVENTS = 500;

/**
 * DevGrid's `status` onto canonical statuses, case-insensitively: `success` (and `succeeded`,
 * `successful`) -> success; `failed` (and `failure`, `error`) -> failure; `aborted`, `canceled`,
 * `cancelled` -> aborted. Anything else is refused.
 */
const STATUSES: Record<string, DeploymentEvent["status"]> = {
  success: "success",
  succeeded: "success",
  successful: "success",
  failed: "failure",
  failure: "failure",
  error: "failure",
  aborted: "aborted",
  canceled: "aborted",
  cancelled: "aborted",
};

const status = requiredText.transform((v, ctx) => {
  const mapped = STATUSES[v.toLowerCase()];
  if (mapped) return mapped;
  ctx.addIssue({ code: "custom", message: `must be success or failed, not ${JSON.stringify(v).slice(0, 64)}` });
  return z.NEVER;
});

export const devgridEventSchema = z.looseObject({
  type: z.literal("event-deploy"),
  entityId: requiredText,
  timestamp: optionalTimestamp,
  attributes: z.looseObject({
    env: requiredText,
    status,
    build_commit_sha: optionalText,
    change_id: optionalText,
    build_id: optionalId,
    build_url: optionalText,
    description: optionalText,
    initiator: optionalText,
    deployment_type: optionalText,
    dedup_id: optionalId,
  }),
});

export const devgridBodySchema = z.looseObject({
  events: z.array(devgridEventSchema).min(1).max(MAX_DEVGRID_EVENTS),
});

export type DevGridEvent = z.output<typeof devgridEventSchema>;

/**
 * The dedup key: the `dedup_id` attribute, else `build_id` with the environment and status (a
 * build reporting the same outcome twice is one deployment), else none (every event is new).
 */
function dedupKey(a: DevGridEvent["attributes"]): string | null {
  if (a.dedup_id !== null) return a.dedup_id;
  return a.build_id === null ? null : JSON.stringify([a.build_id, a.env, a.status]);
}

/**
 * One DevGrid event as a canonical deployment. `entityId` names the service; the deployment
 * finished at `timestamp`, else at `receivedAt`. `initiator` is an email when it has an `@`.
 * The event as sent, custom attributes included, is kept as `raw`.
 */
export function normalizeDevGridEvent(e: DevGridEvent, raw: unknown, receivedAt: string): DeploymentEvent {
  const a = e.attributes;
  const isEmail = a.initiator?.includes("@") ?? false;
  return {
    type: "deployment",
    dedup_key: dedupKey(a),
    service: e.entityId,
    service_hints: { repositories: [], names: [] },
    environment: a.env,
    status: a.status,
    kind: reworkKind(a.deployment_type),
    started_at: null,
    finished_at: e.timestamp ?? receivedAt,
    deploy_number: null,
    change_id: a.change_id,
    url: a.build_url,
    description: a.description,
    deployer: a.initiator === null ? null : { id: null, name: isEmail ? null : a.initiator, email: isEmail ? a.initiator : null },
    commits: a.build_commit_sha
      ? [{ sha: a.build_commit_sha, repository: null, branch: null, message: null, committed_at: null, authored_at: null }]
      : [],
    raw,
  };
}
