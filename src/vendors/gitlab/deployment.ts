/**
 * @module
 * GitLab's deployment events (`X-Gitlab-Event: Deployment Hook`): schema and normalisation.
 * Every status of one deployment updates the same record, keyed by `deployment_id`.
 */
import { z } from "zod";
import type { DeploymentEvent } from "../../events/canonical";
import { optionalId, optionalText, requiredId, requiredText, timestamp } from "../fields";

export const gitlabDeploymentSchema = z.looseObject({
  object_kind: z.literal("deployment"),
  status: requiredText,
  status_changed_at: timestamp,
  deployment_id: requiredId,
  environment: optionalText,
  environment_tier: optionalText,
  short_sha: optionalText,
  commit_url: optionalText,
  commit_title: optionalText,
  ref: optionalText,
  deployable_url: optionalText,
  project: z.looseObject({ path_with_namespace: requiredText, web_url: optionalText }),
  user: z.looseObject({ id: optionalId, name: optionalText, username: optionalText, email: optionalText }).nullish(),
});

export type GitLabDeployment = z.output<typeof gitlabDeploymentSchema>;

const STATUS: Record<string, DeploymentEvent["status"]> = {
  running: "in_progress",
  success: "success",
  failed: "failure",
  canceled: "aborted",
};

/** The full sha: the last path segment of `commit_url`, else the short one. */
function commitSha(body: GitLabDeployment): string | null {
  const last = body.commit_url?.replace(/\/+$/, "").split("/").pop();
  if (last && /^[0-9a-f]{7,64}$/i.test(last)) return last;
  return body.short_sha;
}

/**
 * One deployment event as a canonical deployment update, or null for a status GitLab may add
 * that says nothing about the outcome. `running` dates the start, a final status the finish.
 * The environment tier (production, staging, ...) is preferred to the environment's name, which
 * is often specific (`production-eu`), unless the tier is GitLab's catch-all `other`.
 */
export function normalizeGitLabDeployment(body: GitLabDeployment, raw: unknown): DeploymentEvent | null {
  const status = STATUS[body.status.toLowerCase()];
  if (status === undefined) return null;
  const sha = commitSha(body);
  const tier = body.environment_tier?.toLowerCase() === "other" ? null : body.environment_tier;
  return {
    type: "deployment",
    dedup_key: body.deployment_id,
    service: null,
    service_hints: { repositories: [body.project.path_with_namespace], names: [] },
    environment: tier ?? body.environment,
    status,
    kind: null,
    started_at: status === "in_progress" ? body.status_changed_at : null,
    finished_at: status === "in_progress" ? null : body.status_changed_at,
    deploy_number: null,
    change_id: null,
    url: body.deployable_url,
    description: body.commit_title,
    deployer: body.user ? { id: body.user.id, name: body.user.username ?? body.user.name, email: body.user.email } : null,
    commits: sha
      ? [{ sha, repository: body.project.web_url ?? body.project.path_with_namespace, branch: body.ref, message: body.commit_title, committed_at: null, authored_at: null }]
      : [],
    raw,
  };
}
