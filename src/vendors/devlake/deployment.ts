/**
 * @module
 * Apache DevLake incoming-webhook deployments (docs/vendors/devlake.md), in both
 * payload generations: the documented snake_case one (`commit_sha`, `repo_url`, `start_time`, ...)
 * and DevLake 1.0's camelCase one (`id`, `startedDate`, `finishedDate`,
 * `deploymentCommits[{repoUrl, commitSha, ...}]`). Keys match case-insensitively.
 */
import { z } from "zod";
import { defaultedFields, type Commit, type DeploymentEvent } from "../../events/canonical";
import { sha256Hex } from "../../lib/crypto";
import { optionalId, optionalText, optionalTimestamp, requiredText } from "../fields";
import { canonicalKeys } from "./keys";

const MISSING = "param is missing or the value is empty";

/**
 * DevLake's deployment results onto canonical statuses: SUCCESS -> success, FAILURE -> failure,
 * ABORT -> aborted, MANUAL (waiting for someone to act) -> pending. Case-insensitive; absent is
 * null here and means SUCCESS, as in DevLake, unless an earlier delivery said otherwise.
 */
const RESULTS = { SUCCESS: "success", FAILURE: "failure", ABORT: "aborted", MANUAL: "pending" } as const;

const result = z
  .string()
  .nullish()
  .transform((v, ctx) => {
    const key = (v ?? "").trim().toUpperCase();
    if (key === "") return null;
    if (key in RESULTS) return RESULTS[key as keyof typeof RESULTS];
    ctx.addIssue({ code: "custom", message: `must be one of ${Object.keys(RESULTS).join(", ")}` });
    return z.NEVER;
  });

const COMMIT_KEYS = ["repo_url", "commit_sha", "commit_msg", "ref_name", "name", "displayTitle", "startedDate", "finishedDate"] as const;
const DEPLOYMENT_KEYS = [
  "id",
  "pipeline_id",
  "environment",
  "repo_url",
  "repo_id",
  "name",
  "displayTitle",
  "url",
  "ref_name",
  "commit_sha",
  "commit_msg",
  "create_time",
  "createdDate",
  "start_time",
  "startedDate",
  "end_time",
  "finishedDate",
  "result",
  "deploymentCommits",
] as const;

/** Keys only DevLake 1.0's camelCase generation sends: their presence decides how errors name fields. */
const CAMEL_ONLY = ["id", "startedDate", "finishedDate", "createdDate", "displayTitle"];

const commitSchema = z.preprocess(
  (v) => canonicalKeys(v, COMMIT_KEYS),
  z.looseObject({
    repo_url: requiredText,
    commit_sha: requiredText,
    commit_msg: optionalText,
    ref_name: optionalText,
  }),
);

export const devlakeDeploymentSchema = z.preprocess(
  (v) => canonicalKeys(v, DEPLOYMENT_KEYS),
  z
    .looseObject({
      id: optionalId,
      pipeline_id: optionalId,
      environment: optionalText,
      repo_url: optionalText,
      name: optionalText,
      displayTitle: optionalText,
      url: optionalText,
      ref_name: optionalText,
      commit_sha: optionalText,
      commit_msg: optionalText,
      create_time: optionalTimestamp,
      createdDate: optionalTimestamp,
      start_time: optionalTimestamp,
      startedDate: optionalTimestamp,
      end_time: optionalTimestamp,
      finishedDate: optionalTimestamp,
      result,
      deploymentCommits: z.array(commitSchema).nullish(),
    })
    .superRefine((d, ctx) => {
      const camel = CAMEL_ONLY.some((k) => (d as Record<string, unknown>)[k] !== undefined && (d as Record<string, unknown>)[k] !== null);
      if (d.start_time === null && d.startedDate === null) {
        ctx.addIssue({ code: "custom", message: MISSING, path: [camel ? "startedDate" : "start_time"] });
      }
      if ((d.deploymentCommits ?? []).length > 0) return;
      if (d.commit_sha === null) ctx.addIssue({ code: "custom", message: MISSING, path: [camel ? "deploymentCommits" : "commit_sha"] });
      if (d.repo_url === null && !camel) ctx.addIssue({ code: "custom", message: MISSING, path: ["repo_url"] });
    }),
);

export type DevLakeDeployment = z.output<typeof devlakeDeploymentSchema>;

function commitsOf(d: DevLakeDeployment): Commit[] {
  const listed = d.deploymentCommits ?? [];
  const source = listed.length > 0 ? listed : [{ repo_url: d.repo_url, commit_sha: d.commit_sha!, commit_msg: d.commit_msg, ref_name: d.ref_name }];
  return source.map((c) => ({ sha: c.commit_sha, repository: c.repo_url, branch: c.ref_name, message: c.commit_msg, committed_at: null, authored_at: null }));
}

/**
 * The deployment's dedup key: DevLake 1.0's `id`, else `pipeline_id`, else a SHA-256 of its
 * commits and start time, so that a repost of the same deployment updates it.
 */
async function dedupKey(d: DevLakeDeployment, commits: Commit[], startedAt: string): Promise<string> {
  if (d.id !== null) return d.id;
  if (d.pipeline_id !== null) return d.pipeline_id;
  const fingerprint = commits.map((c) => `${c.repository ?? ""}@${c.sha}`).sort();
  return `sha256:${await sha256Hex(JSON.stringify([fingerprint, startedAt]))}`;
}

/**
 * One DevLake deployment as a canonical deployment. It finishes at `end_time`/`finishedDate`,
 * else at `receivedAt` (DevLake's own default). The service comes from the integration (one
 * webhook per service, as DevLake advises) or else from the commits' repositories. Without an
 * `environment` the integration's default applies, else production (DevLake's PRODUCTION).
 * The result and finish time filled in are named `defaulted`: a repost without them keeps the
 * stored ones.
 */
export async function normalizeDevLakeDeployment(d: DevLakeDeployment, raw: unknown, receivedAt: string): Promise<DeploymentEvent> {
  const commits = commitsOf(d);
  const startedAt = (d.start_time ?? d.startedDate)!;
  return {
    type: "deployment",
    dedup_key: await dedupKey(d, commits, startedAt),
    service: null,
    service_hints: { repositories: [...new Set(commits.flatMap((c) => (c.repository ? [c.repository] : [])))], names: [] },
    environment: d.environment,
    status: d.result ?? "success",
    kind: null,
    started_at: startedAt,
    finished_at: d.end_time ?? d.finishedDate ?? receivedAt,
    deploy_number: null,
    change_id: null,
    url: d.url,
    description: d.displayTitle ?? d.name,
    deployer: null,
    commits,
    ...defaultedFields({ status: d.result === null, finished_at: (d.end_time ?? d.finishedDate) === null }),
    raw,
  };
}
