/**
 * @module
 * The vendor webhooks' operations, declared with the vendor schemas their routes validate with.
 * The routes read the raw body themselves (signatures are over raw bytes; DevLake's examples
 * send JSON without a JSON content type), so these declarations only describe them.
 */
import { z } from "zod";
import { devgridBodySchema } from "../vendors/devgrid/events";
import { devlakeDeploymentSchema } from "../vendors/devlake/deployment";
import { devlakeIssueSchema } from "../vendors/devlake/issue";
import { batchSchema, genericDeploymentSchema, genericIncidentSchema } from "../vendors/generic/schema";
import { githubDeploymentStatusSchema } from "../vendors/github/deployment-status";
import { gitlabDeploymentSchema } from "../vendors/gitlab/deployment";
import { seiCustomCicdSchema } from "../vendors/harness-sei/custom-cicd";
import { opslevelDeploySchema } from "../vendors/opslevel/deploy";
import { opslevelServiceCreatedSchema } from "../vendors/opslevel/service-created";
import { pagerdutyIncidentSchema } from "../vendors/pagerduty/incident";
import { problem } from "./api";
import type { Operation, ResponseSpec } from "./operation";
import { webhookOutcomeSchema } from "./responses";

const INTEGRATION = { id: "The integration's id, from its ingest URL." };

/** The rejections every webhook can answer, in the shape `fail` writes. */
function rejections(fail: (description: string) => ResponseSpec, unauthorized: string | null): Record<number, ResponseSpec> {
  const responses: Record<number, ResponseSpec> = {
    400: fail("The body is not JSON, or a field is missing or invalid; each problem is named. Nothing is stored."),
    413: fail("The body is larger than 1 MiB, or carries more items than one request may."),
    429: { ...fail("This integration's rate limit is exceeded."), headers: { "Retry-After": "Seconds to wait before retrying." } },
    503: fail("The event could not be stored; retry later."),
  };
  if (unauthorized) responses[401] = fail(unauthorized);
  return responses;
}

const standard = (unauthorized: string | null) => rejections(problem, unauthorized);
const devlakeProblem = (description: string): ResponseSpec => ({ description, schema: { ref: "DevLakeError" } });

const outcome = (description: string): ResponseSpec => ({ description, schema: webhookOutcomeSchema });

const opslevel: Operation[] = [
  {
    method: "post",
    path: "/integrations/deploy/{id}",
    tag: "OpsLevel",
    summary: "OpsLevel deploy event",
    description: "The id in the URL is the credential, as in OpsLevel's own deploy webhook.",
    security: [],
    pathParams: INTEGRATION,
    body: {
      schema: opslevelDeploySchema,
      examples: {
        deploy: {
          summary: "A deploy",
          value: {
            service: "shopping_cart",
            description: "Deployed by CI Pipeline: Deploy #234",
            deployed_at: "2026-11-02T13:28:33Z",
            environment: "Production",
            deployer: { email: "michael@example.com", name: "Michael Scott" },
            deploy_number: "234",
            dedup_id: "9ae54794-dfc5-4ac8-b1b5-78789f20f3f8",
            commit: { sha: "38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5", branch: "main", date: "2026-11-02T09:23:43Z" },
          },
        },
      },
    },
    responses: {
      202: {
        description: "Accepted: `ok`, `duplicate_deploy` for a repeated `dedup_id`, or `no_service_found` (stored, and the name suggested).",
        schema: z.strictObject({ result: z.enum(["ok", "duplicate_deploy", "no_service_found"]), message: z.string().optional() }),
      },
      ...standard(null),
      404: problem("No OpsLevel integration with this id."),
    },
  },
  {
    method: "post",
    path: "/integrations/opslevel/{id}/service-created",
    tag: "OpsLevel",
    summary: "OpsLevel service-created event",
    description: "Adds the service, its owner team and repositories to the catalog.",
    security: [],
    pathParams: INTEGRATION,
    body: {
      schema: opslevelServiceCreatedSchema,
      examples: {
        created: {
          summary: "A service created from a template",
          value: {
            service: { slug: "django_test", name: "Django Test", owner: { slug: "platform", name: "Platform" } },
            template_run: { outputs: { repo_url: "https://github.com/acme/django-test" } },
          },
        },
      },
    },
    responses: { 202: { description: "Catalog updated.", schema: z.strictObject({ result: z.literal("ok") }) }, ...standard(null), 404: problem("No OpsLevel integration with this id.") },
  },
];

const hmacVendors: Operation[] = [
  {
    method: "post",
    path: "/webhooks/github/{id}",
    tag: "GitHub",
    summary: "GitHub webhook",
    description: "`deployment_status` events update deployments; `ping` is answered; other events are acknowledged and ignored.",
    security: [{ githubSignature: [] }],
    pathParams: INTEGRATION,
    headers: [{ name: "X-GitHub-Event", description: "The event name.", required: true, example: "deployment_status" }, { name: "X-GitHub-Delivery", description: "Redeliveries of one id are stored once.", required: false }],
    body: {
      schema: githubDeploymentStatusSchema,
      examples: {
        deployment_status: {
          summary: "A successful deployment",
          value: {
            deployment_status: { id: 534747741, state: "success", created_at: "2026-11-02T15:20:55Z", environment: "production" },
            deployment: { id: 326191728, sha: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", ref: "main", environment: "production" },
            repository: { full_name: "acme/hello-world" },
          },
        },
      },
    },
    responses: { 200: outcome("A `ping`, answered."), 202: outcome("Accepted, or ignored with a message."), ...standard("X-Hub-Signature-256 is missing or does not match.") },
  },
  {
    method: "post",
    path: "/webhooks/pagerduty/{id}",
    tag: "PagerDuty",
    summary: "PagerDuty V3 webhook",
    description: "`incident.triggered`, `incident.acknowledged` and `incident.resolved` update one incident each; other events are acknowledged and ignored.",
    security: [{ pagerdutySignature: [] }],
    pathParams: INTEGRATION,
    headers: [{ name: "X-Webhook-Id", description: "Redeliveries of one id are stored once.", required: false }],
    body: {
      schema: pagerdutyIncidentSchema,
      examples: {
        triggered: {
          summary: "An incident triggered",
          value: {
            event: {
              id: "5ac64822-4adc-4fda-ade0-410becf0de4f",
              event_type: "incident.triggered",
              occurred_at: "2026-11-02T15:16:27.000Z",
              data: { id: "PGR0VU2", created_at: "2026-11-02T15:16:27Z", title: "A little bump in the road", service: { id: "PF9KMXH", summary: "API Service" } },
            },
          },
        },
      },
    },
    responses: { 202: outcome("Accepted, or ignored with a message."), ...standard("X-PagerDuty-Signature is missing or does not match.") },
  },
];

const gitlab: Operation = {
  method: "post",
  path: "/webhooks/gitlab/{id}",
  tag: "GitLab",
  summary: "GitLab webhook",
  description: "Deployment events update deployments; other `object_kind`s are acknowledged and ignored.",
  security: [{ gitlabToken: [] }],
  pathParams: INTEGRATION,
  headers: [{ name: "Idempotency-Key", description: "Retries with one key are stored once.", required: false }],
  body: {
    schema: gitlabDeploymentSchema,
    examples: {
      deployment: {
        summary: "A deployment succeeded",
        value: {
          object_kind: "deployment",
          status: "success",
          status_changed_at: "2026-11-02 21:50:00 +0200",
          deployment_id: 15,
          environment: "production",
          short_sha: "279484c0",
          ref: "1.0.0",
          project: { path_with_namespace: "acme/checkout", web_url: "https://gitlab.example.com/acme/checkout" },
        },
      },
    },
  },
  responses: { 202: outcome("Accepted, or ignored with a message."), ...standard("X-Gitlab-Token is missing or invalid.") },
};

const genericBody = (item: z.ZodType) => z.union([item, batchSchema(item)]);
const genericReply: ResponseSpec = {
  description: "Accepted: one result per item, in order (`duplicate` when the record already holds this state or a later one).",
  schema: z.strictObject({ results: z.array(z.strictObject({ result: z.enum(["ok", "duplicate"]), id: z.string() })) }),
};
const genericHeaders = [{ name: "Idempotency-Key", description: "Retries with one key are stored once.", required: false }];
const genericUnauthorized = "The bearer token is missing or not this integration's secret.";

const generic: Operation[] = [
  {
    method: "post",
    path: "/webhooks/generic/{id}/deployments",
    tag: "Generic",
    summary: "Record or update deployments",
    description: "One deployment, or `{\"items\":[...]}` (up to 500) applied in order in one transaction; posting a `dedup_key` again updates it, never backwards.",
    security: [{ webhookBearer: [] }],
    pathParams: INTEGRATION,
    headers: genericHeaders,
    body: {
      schema: genericBody(genericDeploymentSchema),
      examples: {
        one: {
          summary: "One deployment",
          value: {
            dedup_key: "checkout-prod-1842",
            service: "checkout",
            environment: "production",
            status: "success",
            started_at: "2026-11-02T05:20:11Z",
            finished_at: "2026-11-02T05:25:45Z",
            commits: [{ sha: "38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5", committed_at: "2026-11-01T16:00:00Z" }],
          },
        },
        batch: {
          summary: "A batch",
          value: { items: [{ dedup_key: "api-1", service: "api", finished_at: "2026-11-02T10:00:00Z" }, { dedup_key: "api-2", service: "api", status: "failure", finished_at: "2026-11-02T11:00:00Z" }] },
        },
      },
    },
    responses: { 202: genericReply, ...standard(genericUnauthorized) },
  },
  {
    method: "post",
    path: "/webhooks/generic/{id}/incidents",
    tag: "Generic",
    summary: "Record or update incidents",
    description: "One incident, or `{\"items\":[...]}`; `resolved_at` resolves it.",
    security: [{ webhookBearer: [] }],
    pathParams: INTEGRATION,
    headers: genericHeaders,
    body: {
      schema: genericBody(genericIncidentSchema),
      examples: {
        resolved: {
          summary: "A resolved incident linked to its deployment",
          value: {
            dedup_key: "INC-2031",
            service: "checkout",
            title: "Checkout returns 500 for EU customers",
            created_at: "2026-11-02T08:02:00Z",
            resolved_at: "2026-11-02T09:47:30Z",
            links: { deployment_id: "checkout-prod-1842" },
          },
        },
      },
    },
    responses: { 202: genericReply, ...standard(genericUnauthorized) },
  },
];

/** The path prefixes DevLake's webhook is reached under, and its two URL forms. */
const DEVLAKE_BASES = ["", "/api", "/api/rest"].flatMap((prefix) => [`${prefix}/plugins/webhook/{id}`, `${prefix}/plugins/webhook/connections/{id}`]);
const DEVLAKE_SUCCESS: ResponseSpec = {
  description: "Accepted, in DevLake's words.",
  schema: z.strictObject({ code: z.literal(0), success: z.literal(true), message: z.literal("success"), causes: z.null(), data: z.null() }),
};
const devlakeRejections = rejections(devlakeProblem, "The Bearer token or Basic auth password is missing or not this integration's secret.");
const devlakeSecurity: Operation["security"] = [{ webhookBearer: [] }, { devlakeBasic: [] }];

const devlake: Operation[] = DEVLAKE_BASES.flatMap((base): Operation[] => [
  {
    method: "post",
    path: `${base}/deployments`,
    tag: "DevLake",
    summary: "DevLake deployment",
    description: "Recorded or updated by its `id` (else its commit and times). Any content type is read as JSON.",
    security: devlakeSecurity,
    pathParams: INTEGRATION,
    body: {
      schema: devlakeDeploymentSchema,
      examples: {
        deployment: {
          summary: "A deployment",
          value: {
            id: "deploy-2026-11-02",
            environment: "PRODUCTION",
            repo_url: "https://github.com/acme/checkout",
            commit_sha: "015e3d3b480e417aede5a1293bd61de9b0fd051d",
            start_time: "2026-11-02T12:00:00+00:00",
            end_time: "2026-11-02T12:10:00+00:00",
            result: "SUCCESS",
          },
        },
      },
    },
    responses: { 200: DEVLAKE_SUCCESS, ...devlakeRejections },
  },
  {
    method: "post",
    path: `${base}/issues`,
    tag: "DevLake",
    summary: "DevLake issue (incidents when `type` is INCIDENT)",
    security: devlakeSecurity,
    pathParams: INTEGRATION,
    body: {
      schema: devlakeIssueSchema,
      examples: {
        incident: {
          summary: "An incident",
          value: { issue_key: "DLK-1234", title: "Checkout down", type: "INCIDENT", status: "TODO", created_date: "2026-11-02T12:30:00+00:00" },
        },
      },
    },
    responses: { 200: DEVLAKE_SUCCESS, ...devlakeRejections },
  },
  {
    method: "post",
    path: `${base}/issue/{issueKey}/close`,
    tag: "DevLake",
    summary: "Close a DevLake issue",
    security: devlakeSecurity,
    pathParams: { ...INTEGRATION, issueKey: "The `issue_key` the issue was posted with." },
    responses: { 200: DEVLAKE_SUCCESS, ...devlakeRejections, 404: devlakeProblem("No issue with this key.") },
  },
]);

const secretOnly: Operation[] = [
  {
    method: "post",
    path: "/events",
    tag: "DevGrid",
    summary: "DevGrid deploy events",
    description: "The `x-api-key` alone finds the integration. The whole batch is validated before any event is stored.",
    security: [{ devgridApiKey: [] }],
    body: {
      schema: devgridBodySchema,
      examples: {
        deploy: {
          summary: "A deploy",
          value: { events: [{ type: "event-deploy", entityId: "my-app", timestamp: "2026-11-02T10:00:00Z", attributes: { env: "production", status: "success", build_commit_sha: "a1b2c3d4" } }] },
        },
      },
    },
    responses: {
      201: { description: "Stored: each event as sent, with its `id` and stored `timestamp`.", schema: z.strictObject({ events: z.array(z.looseObject({ id: z.string(), timestamp: z.union([z.string(), z.number()]) })) }) },
      ...standard("The x-api-key is missing or unknown."),
    },
  },
  {
    method: "post",
    path: "/v1/custom-cicd",
    tag: "Harness SEI",
    summary: "Harness SEI custom CI/CD execution",
    description: "The bearer token alone finds the integration.",
    security: [{ webhookBearer: [] }],
    body: {
      schema: seiCustomCicdSchema,
      examples: {
        run: {
          summary: "A CD run",
          value: {
            pipeline: "Deploy checkout",
            job_full_name: "Deploy checkout--main",
            qualified_name: "Deploy checkout--main",
            instance_name: "Jenkins",
            instance_guid: "89d2491c-764a-4f77-93d9-18e8e372b795",
            start_time: 1793613600000,
            duration: 77000,
            result: "success",
            execution_id: "run-4487",
            repo_url: "https://github.com/acme/checkout",
            branch_name: "main",
            scm_commit_ids: ["64be72b2c1f7d2a33082f98a40a848880fcdcd5e"],
            ci: false,
            cd: true,
          },
        },
      },
    },
    responses: { 202: { description: "Accepted.", schema: z.strictObject({ result: z.literal("ok"), id: z.string() }) }, ...standard("The bearer token is missing or unknown.") },
  },
];

export const WEBHOOK_OPERATIONS: Operation[] = [...opslevel, ...hmacVendors, gitlab, ...generic, ...devlake, ...secretOnly];
