/**
 * @module
 * Our own format to canonical events: the fields map one to one, with the defaults filled in and
 * named (`defaulted`) so that a repost lacking them keeps what an earlier one gave.
 */
import { defaultedFields, type DeploymentEvent, type IncidentEvent } from "../../events/canonical";
import { readPriority } from "../../events/priority";
import type { GenericDeployment, GenericIncident } from "./schema";

function hints(repository: string | null) {
  return { repositories: repository === null ? [] : [repository], names: [] };
}

/** One deployment of our format as a canonical deployment. */
export function normalizeGenericDeployment(item: GenericDeployment, raw: unknown): DeploymentEvent {
  const listed = item.commits.map((c) => ({ ...c, repository: c.repository ?? item.repository }));
  const shorthand =
    item.commit_sha !== null && !listed.some((c) => c.sha === item.commit_sha)
      ? [{ sha: item.commit_sha, repository: item.repository, branch: null, message: null, committed_at: null, authored_at: null }]
      : [];
  return {
    type: "deployment",
    dedup_key: item.dedup_key,
    service: item.service,
    service_hints: hints(item.repository),
    environment: item.environment,
    status: item.status ?? "success",
    kind: item.kind,
    started_at: item.started_at,
    finished_at: item.finished_at,
    deploy_number: item.deploy_number,
    change_id: item.change_id,
    url: item.url,
    description: item.description,
    deployer: item.deployer,
    commits: [...shorthand, ...listed],
    ...defaultedFields({ status: item.status === undefined }),
    raw,
  };
}

/** One incident of our format as a canonical incident. */
export function normalizeGenericIncident(item: GenericIncident, raw: unknown): IncidentEvent {
  return {
    type: "incident",
    dedup_key: item.dedup_key,
    service: item.service,
    service_hints: hints(item.repository),
    environment: item.environment,
    status: item.status ?? (item.resolved_at === null ? "open" : "resolved"),
    counted: item.counted ?? true,
    ...readPriority(item.priority),
    urgency: item.urgency,
    title: item.title,
    url: item.url,
    created_at: item.created_at,
    resolved_at: item.resolved_at,
    links: item.links,
    ...defaultedFields({ counted: item.counted === undefined }),
    raw,
  };
}
