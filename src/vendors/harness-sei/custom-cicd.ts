/**
 * @module
 * Harness SEI custom CI/CD webhook (docs/vendors/harness-sei.md): one job
 * run per request, `start_time` and `duration` in epoch milliseconds.
 */
import { z } from "zod";
import type { CanonicalEvent, DeploymentEvent } from "../../events/canonical";
import { optionalId, optionalText, requiredText } from "../fields";

/**
 * The older Jenkins-plugin names the vendor's curl example uses, and the field each stands for:
 * a body in that form is read as the documented one.
 */
const LEGACY_NAMES: Record<string, string> = {
  job_name: "pipeline",
  job_normalized_full_name: "qualified_name",
  jenkins_instance_guid: "instance_guid",
  jenkins_instance_name: "instance_name",
  jenkins_instance_url: "instance_url",
};

function withLegacyNames(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [legacy, name] of Object.entries(LEGACY_NAMES)) {
    if ((out[name] === undefined || out[name] === null) && out[legacy] !== undefined) out[name] = out[legacy];
  }
  return out;
}

/**
 * SEI's `result` onto canonical statuses, case-insensitively: SUCCESS/SUCCEEDED -> success;
 * FAILURE/FAILED/UNSTABLE -> failure (UNSTABLE is Jenkins's failed-tests result); ABORTED/ABORT/
 * CANCELED/CANCELLED/NOT_BUILT -> aborted; RUNNING/IN_PROGRESS -> in_progress. Anything else is
 * refused.
 */
const RESULTS: Record<string, DeploymentEvent["status"]> = {
  SUCCESS: "success",
  SUCCEEDED: "success",
  FAILURE: "failure",
  FAILED: "failure",
  UNSTABLE: "failure",
  ABORTED: "aborted",
  ABORT: "aborted",
  CANCELED: "aborted",
  CANCELLED: "aborted",
  NOT_BUILT: "aborted",
  RUNNING: "in_progress",
  IN_PROGRESS: "in_progress",
};

/** The last millisecond of year 9999: later times cannot be stored as ISO 8601. */
const LAST_MILLISECOND = 253402300799999;

const millis = z.number().int().nonnegative().max(LAST_MILLISECOND);

export const seiCustomCicdSchema = z.preprocess(
  withLegacyNames,
  z
    .looseObject({
      pipeline: requiredText,
      job_full_name: requiredText,
      qualified_name: requiredText,
      instance_name: requiredText,
      instance_guid: requiredText,
      start_time: millis,
      duration: millis,
      result: requiredText.transform((v, ctx) => {
        const mapped = RESULTS[v.toUpperCase()];
        if (mapped) return mapped;
        ctx.addIssue({ code: "custom", message: `is not a known job result: ${JSON.stringify(v).slice(0, 64)}` });
        return z.NEVER;
      }),
      execution_id: optionalId,
      build_number: optionalId,
      user_id: optionalId,
      repo_url: optionalText,
      branch_name: optionalText,
      module_name: optionalText,
      project_name: optionalText,
      scm_commit_ids: z.array(requiredText).nullish(),
      ci: z.boolean().nullish(),
      cd: z.boolean().nullish(),
    })
    .refine((s) => s.start_time + s.duration <= LAST_MILLISECOND, { message: "start_time + duration is past year 9999", path: ["duration"] }),
);

export type SeiCustomCicd = z.output<typeof seiCustomCicdSchema>;

/** `execution_id`, else the instance, job and build number together, else none (every run is new). */
function dedupKey(s: SeiCustomCicd): string | null {
  if (s.execution_id !== null) return s.execution_id;
  return s.build_number === null ? null : JSON.stringify([s.instance_guid, s.job_full_name, s.build_number]);
}

/**
 * One SEI job run as canonical events: `cd: true` is a deployment that started at `start_time`
 * and finished `duration` ms later; `ci: true` (or neither flag: a job not marked as a deploy is
 * never counted as one) is a CI run whose `scm_commit_ids` were first seen at its start. A run
 * with both flags gives both. The service comes from the integration, else the repository, else
 * `module_name`, `project_name`, `pipeline`, through the catalog.
 */
export function normalizeSeiCustomCicd(s: SeiCustomCicd, raw: unknown): CanonicalEvent[] {
  const startedAt = new Date(s.start_time).toISOString();
  const finishedAt = new Date(s.start_time + s.duration).toISOString();
  const shas = [...new Set(s.scm_commit_ids ?? [])];
  const hints = {
    repositories: s.repo_url ? [s.repo_url] : [],
    names: [s.module_name, s.project_name, s.pipeline].filter((n): n is string => n !== null),
  };
  const events: CanonicalEvent[] = [];
  if (s.cd === true) {
    events.push({
      type: "deployment",
      dedup_key: dedupKey(s),
      service: null,
      service_hints: hints,
      environment: null,
      status: s.result,
      kind: null,
      started_at: startedAt,
      finished_at: finishedAt,
      deploy_number: null,
      change_id: null,
      url: null,
      description: s.job_full_name,
      deployer: s.user_id === null ? null : { id: s.user_id, name: null, email: null },
      commits: shas.map((sha) => ({ sha, repository: s.repo_url, branch: s.branch_name, message: null, committed_at: null, authored_at: null })),
      raw,
    });
  }
  if (s.ci === true || s.cd !== true) {
    events.push({
      type: "ci_run",
      dedup_key: dedupKey(s),
      service: null,
      service_hints: hints,
      status: s.result,
      started_at: startedAt,
      finished_at: finishedAt,
      commits: shas,
      raw,
    });
  }
  return events;
}
