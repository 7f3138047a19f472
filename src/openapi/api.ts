/**
 * @module
 * The JSON API's operations, declared with the schemas its routes validate with.
 */
import { z } from "zod";
import { drilldownQuerySchema } from "../api/drilldown/query";
import { DRILLDOWN_METRICS } from "../api/drilldown/records";
import { csvHeader, csvLine } from "../api/csv";
import { EXPORT_COLUMNS, exportQuerySchema } from "../api/export";
import { listQuerySchema } from "../api/pagination";
import { putSchema } from "../catalog/catalog";
import { createSchema as createIntegrationSchema, patchSchema, rollSchema } from "../integrations/routes";
import { metricsQuerySchema, recomputeQuerySchema, timeseriesQuerySchema } from "../metrics/routes";
import { moveRawQuerySchema } from "../raw/routes";
import { createSchema as createTokenSchema } from "../tokens/routes";
import type { Operation, ResponseSpec } from "./operation";
import {
  apiIndexSchema,
  createdIntegrationSchema,
  deliveriesSchema,
  createdTokenSchema,
  deploymentDetailSchema,
  deploymentSchema,
  drilldownRecordSchemas,
  healthSchema,
  incidentDetailSchema,
  incidentSchema,
  integrationListItemSchema,
  integrationSchema,
  moveReportSchema,
  pageSchema,
  recomputeSummarySchema,
  rolledSecretSchema,
  serviceSchema,
  suggestionSchema,
  timeseriesSchema,
  tokenSchema,
} from "./responses";

const ADMIN = [{ adminBearer: [] }];
const READ = [{ readBearer: [] }];

/** A rejection in the `{"errors":[...]}` shape. */
export const problem = (description: string): ResponseSpec => ({ description, schema: { ref: "Error" } });

const unauthorized: ResponseSpec = { ...problem("The bearer token is missing or unknown."), headers: { "WWW-Authenticate": "Bearer" } };
const adminRejections = { 401: unauthorized, 403: problem("A read token was sent to an admin route.") };
const readRejections = { 401: unauthorized };
const bodyRejections = { 400: problem("The body is not JSON, or a field is missing or invalid; each problem is named."), 413: problem("The body is larger than 1 MiB.") };
const queryRejection = { 400: problem("A query parameter is invalid; each one is named.") };
const notFound = (what: string) => ({ 404: problem(`No ${what} with this id.`) });

const id = { id: "The id the API gave it." };

const METRICS_EXAMPLE = {
  as_of: "2026-11-30T00:00:04.211Z",
  window: { from: "2026-11-01", to: "2026-12-01", days: 30 },
  filters: { service: "checkout", team: null, environment: "production" },
  benchmark: "2023",
  deployment_frequency: { count: 42, per_day: 1.4, deploy_days: 19, median_deploy_days_per_week: 4, median_deploy_days_per_month: 19, unsuccessful: 3, level: "high" },
  change_lead_time: { median_seconds: 51840, p90_seconds: 259200, samples: 40, dropped: 2, level: "high" },
  change_failure_rate: { failed: 4, total: 42, rate: 0.095, level: "high" },
  failed_deployment_recovery_time: { median_seconds: 2700, p90_seconds: 7200, samples: 4, unrecovered: 0, level: "elite" },
  time_to_restore_service: { median_seconds: 3300, samples: 5, level: "elite" },
  deployment_rework_rate: { rework: 2, total: 42, rate: 0.048, level: null },
};

const integrations: Operation[] = [
  {
    method: "post",
    path: "/api/v1/integrations",
    tag: "Integrations",
    summary: "Create an integration",
    description:
      "Creates the credential and ingest URLs a vendor posts to. The secret is answered once and stored only as a hash. `forward` sends every accepted delivery, as it came, to another tool's URL for the same route (the route's path after the integration's id is appended to it); its `headers` are presented there instead of ours, kept only in the integration's own storage and never shown again. `notify` pushes a failed production deployment, an incident opened soon after a deployment of the same service, and a resolved incident. URLs must be https, or http to localhost, 127.0.0.1 or [::1].",
    security: ADMIN,
    body: {
      schema: createIntegrationSchema,
      examples: {
        generic: { summary: "Our own format", value: { vendor: "generic", name: "checkout pipeline", service: "checkout", environment: "production" } },
        pagerduty: {
          summary: "PagerDuty, with the signing secret PagerDuty generated",
          value: { vendor: "pagerduty", name: "PagerDuty incidents", secret: "pd-signing-secret-0123456789abcdef" },
        },
        limited: {
          summary: "A rate limit of its own",
          value: { vendor: "gitlab", name: "GitLab deployments", rate_limit: { requests_per_second: 10, burst: 50 } },
        },
        shadow: {
          summary: "Forward every accepted delivery to the tool in use today, and push to Slack",
          value: {
            vendor: "opslevel",
            name: "deploys, also sent to OpsLevel",
            forward: { url: "https://app.opslevel.com/integrations/deploy/0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f" },
            notify: { url: "https://hooks.slack.com/services/T000/B000/XXXX", format: "slack" },
          },
        },
        rule: {
          summary: "Only P1 and P2 incidents of high urgency count",
          value: { vendor: "pagerduty", name: "PagerDuty, major incidents", incident_rule: { min_priority: "P2", urgency: "high" } },
        },
      },
    },
    responses: {
      201: {
        description: "Created; `secret` is shown this once.",
        schema: createdIntegrationSchema,
        example: {
          id: "5b0e2c7a-91d4-4f3e-a6b8-2c9d0e1f3a47",
          vendor: "generic",
          name: "checkout pipeline",
          service: "checkout",
          environment: "production",
          incident_rule: null,
          created_at: "2026-11-02T09:00:00.000Z",
          urls: {
            deployments: "https://dora.example.com/webhooks/generic/5b0e2c7a-91d4-4f3e-a6b8-2c9d0e1f3a47/deployments",
            incidents: "https://dora.example.com/webhooks/generic/5b0e2c7a-91d4-4f3e-a6b8-2c9d0e1f3a47/incidents",
          },
          forward: null,
          notify: null,
          rate_limit: null,
          secret: "9f2c6a1e4b7d8c3f0a5e6b1d2c4f7a8e",
        },
      },
      ...bodyRejections,
      ...adminRejections,
      409: problem("The secret given is already another integration's."),
    },
  },
  {
    method: "get",
    path: "/api/v1/integrations",
    tag: "Integrations",
    summary: "List integrations",
    security: ADMIN,
    responses: { 200: { description: "The live integrations, newest first.", schema: pageSchema(integrationListItemSchema) }, ...adminRejections },
  },
  {
    method: "get",
    path: "/api/v1/integrations/{id}",
    tag: "Integrations",
    summary: "Show an integration",
    security: ADMIN,
    pathParams: id,
    responses: { 200: { description: "The integration and the rate limit its object enforces.", schema: integrationSchema }, ...adminRejections, ...notFound("live integration") },
  },
  {
    method: "patch",
    path: "/api/v1/integrations/{id}",
    tag: "Integrations",
    summary: "Rename an integration, or change its incident rule, forward or notify",
    description:
      "Changes the fields given. `incident_rule` picks which incidents count (`min_priority` counts that priority and higher ones, `urgency` only that urgency; an incident of unknown priority or urgency always counts); null or `{}` counts every incident. A changed rule makes the next recompute a full one, which applies it to all history.",
    security: ADMIN,
    pathParams: id,
    body: {
      schema: patchSchema,
      examples: {
        rename: { summary: "A new name", value: { name: "checkout pipeline (prod)" } },
        rule: { summary: "Count P1 to P3 incidents only", value: { incident_rule: { min_priority: "P3" } } },
        everything: { summary: "Count every incident again", value: { incident_rule: null } },
        stopForward: { summary: "Stop forwarding (pending forwards are dropped)", value: { forward: null } },
      },
    },
    responses: {
      200: { description: "The integration as it now is.", schema: integrationSchema },
      ...bodyRejections,
      ...adminRejections,
      ...notFound("live integration"),
    },
  },
  {
    method: "delete",
    path: "/api/v1/integrations/{id}",
    tag: "Integrations",
    summary: "Delete an integration",
    description: "Revokes its credential at once; its events stay.",
    security: ADMIN,
    pathParams: id,
    responses: { 204: { description: "Deleted." }, ...adminRejections, ...notFound("live integration") },
  },
  {
    method: "post",
    path: "/api/v1/integrations/{id}/secret",
    tag: "Integrations",
    summary: "Roll an integration's secret",
    description: "Answers the new secret once; the old one keeps working for `grace_seconds` (default 24 h). An empty body takes the defaults.",
    security: ADMIN,
    pathParams: id,
    body: {
      schema: rollSchema,
      required: false,
      examples: {
        default: { summary: "The old secret works 24 more hours", value: {} },
        now: { summary: "The old secret stops at once", value: { grace_seconds: 0 } },
      },
    },
    responses: {
      201: { description: "The new secret, shown this once.", schema: rolledSecretSchema },
      ...bodyRejections,
      ...adminRejections,
      ...notFound("live integration"),
      409: problem("The secret given is already another integration's."),
    },
  },
  {
    method: "get",
    path: "/api/v1/integrations/{id}/deliveries",
    tag: "Integrations",
    summary: "An integration's delivery ledger",
    description: "Last delivery, counts by outcome, the last 100 rejected deliveries (bodies truncated, never a credential) and the outbox.",
    security: ADMIN,
    pathParams: id,
    responses: { 200: { description: "The ledger.", schema: deliveriesSchema }, ...adminRejections, ...notFound("live integration") },
  },
];

const tokens: Operation[] = [
  {
    method: "post",
    path: "/api/v1/tokens",
    tag: "Tokens",
    summary: "Create a read token",
    description: "A token for dashboards: it reads metrics, deployments, incidents, services and suggestions, nothing else.",
    security: ADMIN,
    body: { schema: createTokenSchema, examples: { grafana: { summary: "For Grafana", value: { name: "grafana" } } } },
    responses: {
      201: {
        description: "Created; `token` is shown this once.",
        schema: createdTokenSchema,
        example: { id: "8d1f4a2c-7e3b-4c5d-9a6f-0b1c2d3e4f50", name: "grafana", token: "643767af2d6b646cd6edd65fc7545231", created_at: "2026-11-02T09:05:00.000Z" },
      },
      ...bodyRejections,
      ...adminRejections,
    },
  },
  {
    method: "get",
    path: "/api/v1/tokens",
    tag: "Tokens",
    summary: "List read tokens",
    security: ADMIN,
    responses: { 200: { description: "The read tokens, newest first.", schema: pageSchema(tokenSchema) }, ...adminRejections },
  },
  {
    method: "delete",
    path: "/api/v1/tokens/{id}",
    tag: "Tokens",
    summary: "Revoke a read token",
    security: ADMIN,
    pathParams: id,
    responses: { 204: { description: "Revoked." }, ...adminRejections, ...notFound("token") },
  },
];

const catalog: Operation[] = [
  {
    method: "put",
    path: "/api/v1/services/{slug}",
    tag: "Services",
    summary: "Create or replace a catalog entry",
    description: "Events naming one of its aliases, or shipping one of its repositories, count for this service from the next recompute.",
    security: ADMIN,
    pathParams: { slug: "1-100 letters, digits, `_`, `.` or `-`, starting with a letter or digit." },
    body: {
      schema: putSchema,
      examples: {
        checkout: {
          summary: "A service with aliases and a repository",
          value: { name: "Checkout", team: "payments", aliases: ["checkout-api", "checkout-svc"], repositories: ["https://github.com/acme/checkout"] },
        },
      },
    },
    responses: {
      200: { description: "Replaced.", schema: serviceSchema },
      201: { description: "Created.", schema: serviceSchema },
      ...bodyRejections,
      ...adminRejections,
      409: problem("An alias or repository already belongs to another service."),
    },
  },
  {
    method: "get",
    path: "/api/v1/services",
    tag: "Services",
    summary: "List the catalog",
    security: READ,
    responses: { 200: { description: "Every catalog entry by slug.", schema: pageSchema(serviceSchema) }, ...readRejections },
  },
  {
    method: "get",
    path: "/api/v1/services/{slug}",
    tag: "Services",
    summary: "Show a catalog entry",
    security: READ,
    pathParams: { slug: "The service's slug." },
    responses: { 200: { description: "The entry.", schema: serviceSchema }, ...readRejections, 404: problem("No service with this slug.") },
  },
  {
    method: "get",
    path: "/api/v1/suggestions",
    tag: "Services",
    summary: "Names the catalog does not know",
    description: "Service names and repositories events carried that no catalog entry claims, most used first.",
    security: READ,
    responses: { 200: { description: "Up to 500 suggestions.", schema: pageSchema(suggestionSchema) }, ...readRejections },
  },
];

/** One record of each list, the shape the exports write a line of. */
const EXPORT_SAMPLES = {
  deployments: {
    id: "0f6c2d8e-3b1a-4c7e-9d2f-5a6b7c8d9e01",
    integration_id: "5b0e2c7a-91d4-4f3e-a6b8-2c9d0e1f3a47",
    seq: 12,
    dedup_key: "checkout-1042",
    service: "checkout",
    service_name: "checkout-api",
    environment: "production",
    environment_raw: "prod",
    status: "success",
    kind: null,
    started_at: "2026-11-30T09:50:00.000Z",
    finished_at: "2026-11-30T10:00:00.000Z",
    received_at: "2026-11-30T10:00:01.312Z",
    deploy_number: "1042",
    change_id: null,
    url: "https://ci.example.com/checkout/1042",
    description: "Release 1042, with \"faster carts\"",
    deployer: { name: "Ada", email: "ada@example.com" },
    commits: [{ sha: "a3f1c9e2b7d4a3f1c9e2b7d4a3f1c9e2b7d4a3f1", repository: "https://github.com/acme/checkout", branch: "main", message: null, committed_at: "2026-11-29T15:00:00.000Z", authored_at: null }],
  },
  incidents: {
    id: "3c9e1a7b-2d4f-4e6a-8b0c-1d2e3f4a5b6c",
    integration_id: "7e2d4c6a-1b3f-4a5e-9c7d-8e9f0a1b2c3d",
    seq: 3,
    dedup_key: "Q1W2E3R4T5",
    service: "checkout",
    service_name: "checkout",
    environment: "production",
    environment_raw: null,
    status: "resolved",
    counted: true,
    priority: "P1",
    priority_raw: "SEV-1",
    urgency: "high",
    title: "Checkout errors, 5% of carts",
    url: "https://acme.pagerduty.com/incidents/Q1W2E3R4T5",
    created_at: "2026-11-30T10:20:00.000Z",
    resolved_at: "2026-11-30T11:05:00.000Z",
    received_at: "2026-11-30T11:05:02.040Z",
    links: { change_id: null, deployment_id: "checkout-1042", commit_sha: null },
    linked_deployment: {
      id: "0f6c2d8e-3b1a-4c7e-9d2f-5a6b7c8d9e01",
      linked_by: "explicit",
      service: "checkout",
      environment: "production",
      status: "success",
      finished_at: "2026-11-30T10:00:00.000Z",
      deploy_number: "1042",
      url: "https://ci.example.com/checkout/1042",
    },
  },
} as const;

/** `GET /api/v1/{kind}.csv` and `.ndjson`: the list's filters, every match in one streamed answer. */
function exportOperations(kind: keyof typeof EXPORT_COLUMNS, tag: string): Operation[] {
  const sample = EXPORT_SAMPLES[kind];
  const formats = [
    ["csv", "text/csv", "CSV (RFC 4180) with a header row; nested fields flattened to `a_b` columns, lists as JSON", csvHeader(EXPORT_COLUMNS[kind]) + csvLine(sample, EXPORT_COLUMNS[kind])],
    ["ndjson", "application/x-ndjson", "One JSON record per line, as the list answers them", `${JSON.stringify(sample)}\n`],
  ] as const;
  return formats.map(([ext, contentType, what, example]) => ({
    method: "get",
    path: `/api/v1/${kind}.${ext}`,
    tag,
    summary: `Export ${kind} as ${ext === "csv" ? "CSV" : "NDJSON"}`,
    description: `Every ${kind.slice(0, -1)} matching the filters of \`GET /api/v1/${kind}\`, newest first, streamed in one answer (no paging). ${what}.`,
    security: READ,
    query: exportQuerySchema,
    responses: {
      200: {
        description: `The ${kind}, as an attachment \`${kind}.${ext}\`.`,
        schema: z.string(),
        contentType,
        example,
        headers: { "Content-Disposition": `\`attachment; filename="${kind}.${ext}"\`` },
      },
      ...queryRejection,
      ...readRejections,
    },
  }));
}

const events: Operation[] = [
  {
    method: "get",
    path: "/api/v1/deployments",
    tag: "Deployments",
    summary: "List deployments",
    description: "Newest first; `from`/`to` bound the time `[from, to)`; follow `next_cursor` for the next page.",
    security: READ,
    query: listQuerySchema,
    responses: { 200: { description: "A page of deployments.", schema: pageSchema(deploymentSchema) }, ...queryRejection, ...readRejections },
  },
  ...exportOperations("deployments", "Deployments"),
  {
    method: "get",
    path: "/api/v1/deployments/{id}",
    tag: "Deployments",
    summary: "Show a deployment, with the payloads as received",
    description: "`raw` is the latest delivery's payload; `earlier_raw` the earlier deliveries that built the record, newest first.",
    security: READ,
    pathParams: id,
    responses: { 200: { description: "The deployment.", schema: deploymentDetailSchema }, ...readRejections, ...notFound("deployment") },
  },
  {
    method: "get",
    path: "/api/v1/incidents",
    tag: "Incidents",
    summary: "List incidents",
    description: "Newest first, each with the deployment the last recompute linked it to.",
    security: READ,
    query: listQuerySchema,
    responses: { 200: { description: "A page of incidents.", schema: pageSchema(incidentSchema) }, ...queryRejection, ...readRejections },
  },
  ...exportOperations("incidents", "Incidents"),
  {
    method: "get",
    path: "/api/v1/incidents/{id}",
    tag: "Incidents",
    summary: "Show an incident, with the payloads as received",
    description: "`raw` is the latest delivery's payload; `earlier_raw` the earlier deliveries that built the record, newest first.",
    security: READ,
    pathParams: id,
    responses: { 200: { description: "The incident.", schema: incidentDetailSchema }, ...readRejections, ...notFound("incident") },
  },
];

/** The metrics grouped by the shape of their records (two share the failed deployments). */
function metricsByRecordShape(): Map<z.ZodType, string[]> {
  const groups = new Map<z.ZodType, string[]>();
  for (const [metric, item] of Object.entries(drilldownRecordSchemas)) groups.set(item, [...(groups.get(item) ?? []), metric]);
  return groups;
}

const metrics: Operation[] = [
  {
    method: "get",
    path: "/api/v1/metrics",
    tag: "Metrics",
    summary: "The DORA metrics of a window",
    description: "Deployment frequency, change lead time, change failure rate, failed deployment recovery time, time to restore service and rework rate over `[from, to)` (default: the 30 days ending today), as of the last recompute.",
    security: READ,
    query: metricsQuerySchema,
    responses: { 200: { description: "The figures and their levels.", schema: { ref: "Metrics" }, example: METRICS_EXAMPLE }, ...queryRejection, ...readRejections },
  },
  {
    method: "get",
    path: "/api/v1/metrics/timeseries",
    tag: "Metrics",
    summary: "The DORA metrics per day, week or month",
    security: READ,
    query: timeseriesQuerySchema,
    responses: { 200: { description: "One bucket per period of the window.", schema: timeseriesSchema }, ...queryRejection, ...readRejections },
  },
  {
    method: "get",
    path: "/api/v1/metrics/{metric}/records",
    tag: "Metrics",
    summary: "The records behind one metric",
    description:
      "The rows a metric's figures are computed from, as of the last recompute, with the filters and window of `GET /api/v1/metrics`, newest first; they add up to the metric's figures. `deployment_frequency`: the counted deployments and their commits' lead time. `change_lead_time`: the lead-time samples. `change_failure_rate` and `failed_deployment_recovery_time`: the failed deployments, the incidents linked to them (explicitly or by time), the rollback after them and their recovery. `time_to_restore_service`: the incidents resolved in the window and their linked deployment. `deployment_rework_rate`: rollbacks (and the commits they went back to) and hotfixes.",
    security: READ,
    pathParams: { metric: { description: "One of the metrics of `GET /api/v1/metrics`.", values: DRILLDOWN_METRICS } },
    query: drilldownQuerySchema,
    responses: {
      200: {
        description: "A page of records; their shape depends on the metric.",
        schema: z.union(
          [...metricsByRecordShape()].map(([item, metrics]) => pageSchema(item).meta({ title: `Records of ${metrics.join(", ")}` })),
        ),
      },
      ...queryRejection,
      ...readRejections,
      404: problem("No metric of this name."),
    },
  },
  {
    method: "post",
    path: "/api/v1/recompute",
    tag: "Metrics",
    summary: "Recompute the metrics now",
    description: "What the nightly cron runs: applies the events received since the last run (`full=true` rebuilds everything).",
    security: ADMIN,
    query: recomputeQuerySchema,
    responses: { 200: { description: "What the run did.", schema: recomputeSummarySchema }, ...queryRejection, ...adminRejections },
  },
];

const maintenance: Operation[] = [
  {
    method: "post",
    path: "/api/v1/maintenance/move-raw",
    tag: "Maintenance",
    summary: "Move payloads kept in D1 by earlier versions into R2",
    description: "Moves up to `limit` rows' payloads (deployments, incidents, CI runs, in turn) and says how many are left; call again until `done`.",
    security: ADMIN,
    query: moveRawQuerySchema,
    responses: {
      200: {
        description: "What this call moved and what is left.",
        schema: moveReportSchema,
        example: { moved: { deployments: 500, incidents: 0, ci_runs: 0 }, remaining: { deployments: 1250, incidents: 310, ci_runs: 40 }, done: false },
      },
      ...queryRejection,
      ...adminRejections,
    },
  },
];

const reference: Operation[] = [
  {
    method: "get",
    path: "/api/v1",
    tag: "Reference",
    summary: "What this service is, and where its reference, dashboard and documentation are",
    security: [],
    responses: { 200: { description: "Name, version and links.", schema: apiIndexSchema } },
  },
  {
    method: "get",
    path: "/healthz",
    tag: "Reference",
    summary: "Liveness, and with `deep` whether D1 answers",
    security: [],
    query: z.object({ deep: z.string().optional().describe("Present (any value): also query D1.") }),
    responses: {
      200: { description: "Up.", schema: healthSchema },
      503: { description: "D1 is unreachable.", schema: healthSchema },
    },
  },
  {
    method: "get",
    path: "/openapi.json",
    tag: "Reference",
    summary: "This document",
    security: [],
    responses: { 200: { description: "The OpenAPI 3.1 document.", schema: z.looseObject({ openapi: z.string() }) } },
  },
  ...(
    [
      ["/docs", "The interactive reference (Swagger UI)", "text/html"],
      ["/docs/swagger-ui.css", "The reference's style sheet", "text/css"],
      ["/docs/swagger-ui-bundle.js", "The reference's script", "text/javascript"],
      ["/docs/init.js", "The script that points the reference at this document", "text/javascript"],
    ] as const
  ).map(
    ([path, summary, contentType]): Operation => ({
      method: "get",
      path,
      tag: "Reference",
      summary,
      security: [],
      responses: { 200: { description: summary, schema: z.string(), contentType } },
    }),
  ),
];

/** The page (it asks for a token and reads the API from the browser) and its two assets. */
const dashboard: Operation[] = (
  [
    ["/", "The dashboard", "text/html"],
    ["/dashboard", "The dashboard, at its own name", "text/html"],
    ["/dashboard/app.js", "The dashboard's script", "text/javascript"],
    ["/dashboard/app.css", "The dashboard's style sheet", "text/css"],
  ] as const
).map(
  ([path, summary, contentType]): Operation => ({
    method: "get",
    path,
    tag: "Dashboard",
    summary,
    security: [],
    responses: path.includes(".")
      ? { 200: { description: summary, schema: z.string(), contentType }, 304: { description: "Unchanged since the `If-None-Match` ETag.", headers: { ETag: "The assets' version." } } }
      : { 200: { description: summary, schema: z.string(), contentType } },
  }),
);

export const API_OPERATIONS: Operation[] = [...integrations, ...tokens, ...catalog, ...events, ...metrics, ...maintenance, ...reference, ...dashboard];
