/**
 * @module
 * GitHub's `deployment_status` webhook event: schema and normalisation. Every status of one
 * deployment updates the same record, keyed by `deployment.id`.
 */
import { z } from "zod";
import { defaultedFields, type DeploymentEvent } from "../../events/canonical";
import { optionalId, optionalText, optionalTimestamp, requiredId, requiredText, timestamp } from "../fields";

export const GITHUB_STATES = ["error", "failure", "inactive", "pending", "success", "queued", "in_progress"] as const;

export const githubDeploymentStatusSchema = z.looseObject({
  deployment_status: z.looseObject({
    id: optionalId,
    state: requiredText.pipe(z.enum(GITHUB_STATES)),
    created_at: timestamp,
    description: optionalText,
    environment: optionalText,
    target_url: optionalText,
    log_url: optionalText,
    environment_url: optionalText,
  }),
  deployment: z.looseObject({
    id: requiredId,
    sha: requiredText,
    ref: optionalText,
    environment: optionalText,
    description: optionalText,
    created_at: optionalTimestamp,
    creator: z.looseObject({ login: optionalText, id: optionalId }).nullish(),
  }),
  repository: z.looseObject({ full_name: requiredText }),
});

export type GitHubDeploymentStatus = z.output<typeof githubDeploymentStatusSchema>;

const STATUS: Record<Exclude<(typeof GITHUB_STATES)[number], "inactive">, DeploymentEvent["status"]> = {
  error: "failure",
  failure: "failure",
  success: "success",
  pending: "pending",
  queued: "pending",
  in_progress: "in_progress",
};

/**
 * One deployment status as a canonical deployment update, or null for `inactive`: GitHub marks
 * an older deployment inactive when a newer one succeeds, which says nothing about how the older
 * one went and must not move it backwards.
 *
 * Times: a finished status is dated by when GitHub recorded it; `in_progress` starts then;
 * `pending`/`queued` date from the deployment's creation, so a late `pending` never replaces a
 * later `in_progress`. A finished status starts at the deployment's creation only for want of an
 * `in_progress` one, so that start is named `defaulted`.
 */
export function normalizeGitHubDeploymentStatus(body: GitHubDeploymentStatus, raw: unknown): DeploymentEvent | null {
  const { deployment_status: status, deployment, repository } = body;
  if (status.state === "inactive") return null;
  const canonical = STATUS[status.state];
  const terminal = canonical === "success" || canonical === "failure";
  return {
    type: "deployment",
    dedup_key: deployment.id,
    service: null,
    service_hints: { repositories: [repository.full_name], names: [] },
    environment: deployment.environment ?? status.environment,
    status: canonical,
    kind: null,
    started_at: canonical === "in_progress" ? status.created_at : (deployment.created_at ?? (terminal ? null : status.created_at)),
    finished_at: terminal ? status.created_at : null,
    deploy_number: null,
    change_id: null,
    url: status.target_url ?? status.log_url ?? status.environment_url,
    description: status.description ?? deployment.description,
    deployer: deployment.creator?.login ? { id: deployment.creator.id, name: deployment.creator.login, email: null } : null,
    commits: [
      { sha: deployment.sha, repository: repository.full_name, branch: deployment.ref, message: null, committed_at: null, authored_at: null },
    ],
    ...defaultedFields({ started_at: terminal && deployment.created_at !== null }),
    raw,
  };
}
