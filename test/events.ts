import type { DeploymentEvent, IncidentEvent } from "../src/events/canonical";

/** A canonical deployment that says nothing but what `fields` say. */
export const deploymentEvent = (fields: Partial<DeploymentEvent> = {}): DeploymentEvent => ({
  type: "deployment",
  dedup_key: "d",
  service: null,
  service_hints: { repositories: [], names: [] },
  environment: null,
  status: "in_progress",
  kind: null,
  started_at: null,
  finished_at: null,
  deploy_number: null,
  change_id: null,
  url: null,
  description: null,
  deployer: null,
  commits: [],
  raw: {},
  ...fields,
});

/** A canonical open incident that says nothing but what `fields` say. */
export const incidentEvent = (fields: Partial<IncidentEvent> = {}): IncidentEvent => ({
  type: "incident",
  dedup_key: "i",
  service: null,
  service_hints: { repositories: [], names: [] },
  environment: null,
  status: "open",
  counted: true,
  priority: null,
  priority_raw: null,
  urgency: null,
  title: null,
  url: null,
  created_at: "2026-01-01T00:00:00.000Z",
  resolved_at: null,
  links: { change_id: null, deployment_id: null, commit_sha: null },
  raw: {},
  ...fields,
});
