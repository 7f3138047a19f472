/**
 * @module
 * The shapes the API answers with, as zod schemas: the document shows them, and the tests hold
 * every real answer against them (strict objects, so a field added or dropped is noticed).
 */
import { z } from "zod";
import type { DrilldownMetric } from "../api/drilldown/records";
import { DEPLOYMENT_STATUSES } from "../events/canonical";
import { PRIORITIES, URGENCIES } from "../events/priority";
import { VENDORS } from "../ingest/protocol";

const text = z.string().nullable();
const count = z.number().int().min(0);
const seconds = z.number().nullable();
const level = z.enum(["elite", "high", "medium", "low"]).nullable();

/** `{"errors":[{"status","title","detail"}]}`: every 4xx of the API and of most webhooks. */
export const errorSchema = z
  .strictObject({
    errors: z.array(z.strictObject({ status: z.number().int(), title: z.string(), detail: z.string() })).min(1),
  })
  .meta({ examples: [{ errors: [{ status: 400, title: "Name Error", detail: "param is missing or the value is empty: name" }] }] });

/** DevLake's own error body, under its paths. */
export const devlakeErrorSchema = z.strictObject({ success: z.literal(false), message: z.string(), causes: z.array(z.string()) });

const rateLimitSchema = z.strictObject({ requests_per_second: z.number(), burst: z.number().int() }).nullable();

const integrationFields = {
  id: z.string(),
  vendor: z.enum(VENDORS),
  name: z.string(),
  service: text,
  environment: text,
  incident_rule: z
    .strictObject({ min_priority: z.enum(PRIORITIES).optional(), urgency: z.enum(URGENCIES).optional() })
    .nullable()
    .describe("Which of its incidents count in the metrics; null: every one."),
  created_at: z.string(),
  urls: z.record(z.string(), z.string()).describe("The ingest URLs to paste into the vendor, by purpose."),
  forward: z
    .strictObject({ url: z.string(), header_names: z.array(z.string()), duplicates: z.boolean() })
    .nullable()
    .describe("Where accepted deliveries are forwarded; the headers' values (credentials) are never shown."),
  notify: z
    .strictObject({ url: z.string(), format: z.enum(["slack", "json"]), suspect_minutes: z.number().int() })
    .nullable()
    .describe("Where pushes go: a failed production deployment, a suspect deployment, a resolved incident."),
};

export const integrationListItemSchema = z.strictObject(integrationFields);
export const integrationSchema = z.strictObject({ ...integrationFields, rate_limit: rateLimitSchema });
export const createdIntegrationSchema = z.strictObject({
  ...integrationFields,
  rate_limit: rateLimitSchema,
  secret: z.string().describe("Shown this once; stored only as a hash."),
});
export const rolledSecretSchema = z.strictObject({ id: z.string(), secret: z.string(), previous_secret_expires_at: text });

/** One lane of the outbound queue as the delivery ledger shows it. */
const laneSchema = z.strictObject({
  counts: z.strictObject({ pending: count, forwarded: count, failed: count, dead: count }),
  recent: z.array(
    z.strictObject({
      id: z.number().int(),
      ref: z.string().describe("The delivery id, else the first record's id; for a push, the id the receiver dedupes on."),
      state: z.enum(["pending", "forwarded", "failed", "dead"]),
      queued_at: z.string(),
      attempts: count,
      status: z.number().int().nullable().describe("The upstream's last HTTP status; null when it never answered."),
      next_try_at: text,
      error: text,
    }),
  ),
});

/** What `GET /api/v1/integrations/{id}/deliveries` answers. */
export const deliveriesSchema = z.strictObject({
  integration_id: z.string(),
  last_delivery_at: text,
  counts: z.strictObject({
    accepted: count,
    duplicate: count,
    updated: count,
    rejected_auth: count,
    rejected_validation: count,
    rejected_rate_limit: count,
    rejected_size: count,
  }),
  rejected: z.array(
    z.strictObject({
      at: z.string(),
      reason: z.enum(["auth", "validation", "rate_limit", "size"]),
      status: z.number().int(),
      reply: z.unknown().describe("The JSON error body we answered."),
      body: text.describe("The start of the body (2 KiB at most), or null."),
    }),
  ),
  outbox: z.strictObject({ pending: count, oldest_at: text }),
  forwarding: laneSchema.describe("The forward of accepted deliveries: counts by state and the latest rows."),
  pushes: laneSchema.describe("The pushes to `notify`: counts by state and the latest rows."),
});

export const tokenSchema = z.strictObject({ id: z.string(), name: z.string(), created_at: z.string() });
export const createdTokenSchema = z.strictObject({ id: z.string(), name: z.string(), token: z.string().describe("Shown this once."), created_at: z.string() });

export const serviceSchema = z.strictObject({ slug: z.string(), name: z.string(), team: text, aliases: z.array(z.string()), repositories: z.array(z.string()) });

export const suggestionSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(["name", "repository"]),
  count,
  first_seen_at: z.string(),
  last_seen_at: z.string(),
});

const deploymentFields = {
  id: z.string(),
  integration_id: z.string(),
  seq: z.number().int(),
  dedup_key: text,
  service: z.string().describe("The catalog slug, or the name as received when the catalog does not know it."),
  service_name: z.string(),
  environment: z.string(),
  environment_raw: text,
  status: z.enum(DEPLOYMENT_STATUSES),
  kind: text,
  started_at: text,
  finished_at: text,
  received_at: z.string(),
  deploy_number: text,
  change_id: text,
  url: text,
  description: text,
  deployer: z.strictObject({ name: text, email: text }).nullable(),
  commits: z.array(
    z.strictObject({ sha: z.string(), repository: text, branch: text, message: text, committed_at: text, authored_at: text }),
  ),
};

/** The payloads behind one record, as the detail routes add them. */
const payloadFields = {
  raw: z.unknown().describe("The latest delivery's payload as the vendor sent it; null once retention deleted it."),
  earlier_raw: z
    .array(z.strictObject({ seq: z.number().int(), received_at: z.string(), raw: z.unknown().describe("Null once retention deleted it.") }))
    .describe("The earlier deliveries that built the record, newest first, at most 20 (the newest ones)."),
};

export const deploymentSchema = z.strictObject(deploymentFields);
export const deploymentDetailSchema = z.strictObject({ ...deploymentFields, ...payloadFields });

const incidentFields = {
  id: z.string(),
  integration_id: z.string(),
  seq: z.number().int(),
  dedup_key: z.string(),
  service: z.string(),
  service_name: z.string(),
  environment: z.string(),
  environment_raw: text,
  status: z.enum(["open", "resolved"]),
  counted: z.boolean(),
  priority: z.enum(PRIORITIES).nullable().describe("The priority read from the vendor's value, P1 the highest; null when none was recognised."),
  priority_raw: text.describe("The priority as the vendor gave it."),
  urgency: z.enum(URGENCIES).nullable(),
  title: text,
  url: text,
  created_at: z.string(),
  resolved_at: text,
  received_at: z.string(),
  links: z.strictObject({ change_id: text, deployment_id: text, commit_sha: text }),
  linked_deployment: z
    .strictObject({
      id: z.string(),
      linked_by: text,
      service: z.string(),
      environment: z.string(),
      status: z.string(),
      finished_at: text,
      deploy_number: text,
      url: text,
    })
    .nullable()
    .describe("The deployment the last recompute linked this incident to."),
};

export const incidentSchema = z.strictObject(incidentFields);
export const incidentDetailSchema = z.strictObject({ ...incidentFields, ...payloadFields });

/** A page of a list: `next_cursor` is null on the last one. */
export function pageSchema(item: z.ZodType) {
  return z.strictObject({ items: z.array(item), next_cursor: z.string().nullable() });
}

/** The six figures of one window. */
const metricFields = {
  deployment_frequency: z.strictObject({
    count,
    per_day: z.number(),
    deploy_days: count,
    median_deploy_days_per_week: z.number().nullable(),
    median_deploy_days_per_month: z.number().nullable(),
    unsuccessful: count,
    level,
  }),
  change_lead_time: z.strictObject({ median_seconds: seconds, p90_seconds: seconds, samples: count, dropped: count, level }),
  change_failure_rate: z.strictObject({ failed: count, total: count, rate: z.number().nullable(), level }),
  failed_deployment_recovery_time: z.strictObject({ median_seconds: seconds, p90_seconds: seconds, samples: count, unrecovered: count, level }),
  time_to_restore_service: z.strictObject({ median_seconds: seconds, samples: count, level }),
  deployment_rework_rate: z.strictObject({ rework: count, total: count, rate: z.number().nullable(), level: z.null() }),
};

const headerFields = {
  as_of: text.describe("When the last recompute finished; the figures are as of then."),
  window: z.strictObject({ from: z.string(), to: z.string(), days: z.number().int() }),
  filters: z.strictObject({ service: text, team: text, environment: z.string() }),
  benchmark: z.enum(["2023", "2021"]),
};

export const metricsSchema = z.strictObject({ ...headerFields, ...metricFields });
export const timeseriesSchema = z.strictObject({
  ...headerFields,
  granularity: z.enum(["day", "week", "month"]),
  buckets: z.array(z.strictObject({ start: z.string(), end: z.string(), ...metricFields })),
});

const linkedBy = z.enum(["explicit", "time"]);

/** The records behind each metric, as `GET /api/v1/metrics/{metric}/records` answers them. */
const failedDeploymentSchema = z
  .strictObject({
    id: z.string(),
    service: z.string(),
    environment: z.string(),
    at: z.string(),
    incidents: z.array(z.strictObject({ id: z.string(), title: text, created_at: z.string(), resolved_at: text, linked_by: linkedBy })),
    rolled_back_by: z.strictObject({ id: z.string(), at: z.string() }).nullable().describe("The rollback that followed it, if the next deployment was one."),
    recovered_at: text,
    recovery_seconds: seconds.describe("Null: not recovered yet."),
  })
  .meta({ title: "FailedDeployment" });

/** What the drill-down says of every counted deployment it lists. */
const countedDeploymentFields = { id: z.string(), service: z.string(), environment: z.string(), at: z.string(), kind: text };

export const drilldownRecordSchemas: Record<DrilldownMetric, z.ZodType> = {
  deployment_frequency: z
    .strictObject({
      ...countedDeploymentFields,
      rework: z.boolean(),
      failed: z.boolean(),
      commits: z.array(z.strictObject({ sha: z.string(), lead_seconds: seconds, repeated: z.boolean().describe("Shipped to this environment before.") })),
    })
    .meta({ title: "CountedDeployment" }),
  change_lead_time: z
    .strictObject({
      deployment_id: z.string(),
      sha: z.string(),
      service: z.string(),
      environment: z.string(),
      deployed_at: z.string(),
      lead_seconds: z.number(),
      dropped: z.boolean().describe("Negative, so not ranked."),
    })
    .meta({ title: "LeadTimeSample" }),
  change_failure_rate: failedDeploymentSchema,
  failed_deployment_recovery_time: failedDeploymentSchema,
  time_to_restore_service: z
    .strictObject({
      id: z.string(),
      title: text,
      service: z.string(),
      environment: z.string(),
      created_at: z.string(),
      resolved_at: z.string(),
      restore_seconds: z.number(),
      deployment_id: text,
      linked_by: linkedBy.nullable().describe("Null: linked to no deployment."),
    })
    .meta({ title: "ResolvedIncident" }),
  deployment_rework_rate: z
    .strictObject({
      ...countedDeploymentFields,
      reason: z.enum(["rollback", "hotfix"]),
      rollback_to: z.array(z.strictObject({ sha: z.string(), deployed_before_by: text.describe("The deployment that first shipped it.") })),
    })
    .meta({ title: "Rework" }),
};

export const apiIndexSchema = z.strictObject({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  auth: z.string(),
  links: z.strictObject({ openapi: z.string(), reference: z.string(), dashboard: z.string(), health: z.string() }),
  docs: z.record(z.string(), z.string()).describe("Documentation in the repository, by topic."),
});

export const recomputeSummarySchema = z.strictObject({
  mode: z.enum(["full", "incremental"]),
  complete: z.boolean(),
  changed_records: count,
  groups_recomputed: count,
  snapshots: count,
  queries: count,
  rows_read: count.describe("Rows D1 says the run's statements read."),
  rows_written: count.describe("Rows D1 says the run's statements wrote."),
  max_statement_ms: z.number().describe("The longest single statement, as D1 timed it."),
  database_bytes: count.describe("The database's size when the run ended."),
  as_of: text,
  duration_ms: z.number(),
});

const perRawTable = z.strictObject({ deployments: count, incidents: count, ci_runs: count });

/** What `POST /api/v1/maintenance/move-raw` answers. */
export const moveReportSchema = z.strictObject({
  moved: perRawTable.describe("Rows whose payload this call moved to R2, per table."),
  remaining: perRawTable.describe("Rows still holding their payload in D1, per table."),
  done: z.boolean().describe("Nothing is left to move."),
});

export const healthSchema = z.strictObject({ status: z.enum(["ok", "degraded"]), d1: z.enum(["ok", "unreachable"]).optional() });

/** What a webhook answers when its vendor documents no reply body. */
export const webhookOutcomeSchema = z.strictObject({
  result: z.enum(["ok", "duplicate", "stale", "ignored"]),
  message: z.string().optional().describe("Why an event was ignored."),
});
