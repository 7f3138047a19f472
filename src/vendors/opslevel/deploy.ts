/**
 * @module
 * OpsLevel deploy webhook (docs/vendors/opslevel.md): schema and normalisation.
 */
import { z } from "zod";
import type { DeploymentEvent } from "../../events/canonical";
import { optionalId, optionalText, optionalTimestamp, requiredText, reworkKind, timestamp } from "../fields";

export const opslevelDeploySchema = z.looseObject({
  service: requiredText,
  description: requiredText,
  deployed_at: timestamp,
  // OpsLevel's Jenkins plugin sends no deployer unless one is configured, and OpsLevel accepts
  // that; a deployer that is sent must still name someone.
  deployer: z
    .looseObject({ email: optionalText, name: optionalText, id: optionalId })
    .refine((d) => d.email !== null || d.name !== null, { message: "needs an email or a name" })
    .nullish(),
  environment: optionalText,
  deploy_url: optionalText,
  dedup_id: optionalId,
  deploy_number: optionalId,
  commit: z
    .looseObject({
      sha: optionalText,
      message: optionalText,
      branch: optionalText,
      date: optionalTimestamp,
      committer_name: optionalText,
      committer_email: optionalText,
      author_name: optionalText,
      author_email: optionalText,
      authoring_date: optionalTimestamp,
    })
    .nullish(),
  kind: z.unknown().optional(),
  type: z.unknown().optional(),
});

export type OpsLevelDeploy = z.output<typeof opslevelDeploySchema>;

/**
 * One OpsLevel deploy as a canonical deployment. OpsLevel records only completed deploys, so
 * the status is `success` and `deployed_at` is when it finished.
 */
export function normalizeOpsLevelDeploy(body: OpsLevelDeploy, raw: unknown): DeploymentEvent {
  const commit = body.commit?.sha ? body.commit : null;
  return {
    type: "deployment",
    dedup_key: body.dedup_id,
    service: body.service,
    service_hints: { repositories: [], names: [] },
    environment: body.environment,
    status: "success",
    kind: reworkKind(body.kind, body.type),
    started_at: null,
    finished_at: body.deployed_at,
    deploy_number: body.deploy_number,
    change_id: null,
    url: body.deploy_url,
    description: body.description,
    deployer: body.deployer ? { id: body.deployer.id, name: body.deployer.name, email: body.deployer.email } : null,
    commits: commit
      ? [
          {
            sha: commit.sha!,
            repository: null,
            branch: commit.branch,
            message: commit.message,
            committed_at: commit.date,
            authored_at: commit.authoring_date,
          },
        ]
      : [],
    raw,
  };
}
