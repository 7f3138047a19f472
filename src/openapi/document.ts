/**
 * @module
 * The OpenAPI 3.1 document: every operation the app answers, built from the zod schemas the
 * routes validate with. Relative server, so it works on `wrangler dev` and a deployment alike.
 */
import { API_OPERATIONS } from "./api";
import { jsonSchemaOf, operationObject, type Operation } from "./operation";
import { devlakeErrorSchema, errorSchema, metricsSchema } from "./responses";
import { WEBHOOK_OPERATIONS } from "./webhooks";

/** Every documented operation. */
const OPERATIONS: readonly Operation[] = [...API_OPERATIONS, ...WEBHOOK_OPERATIONS];

const TAGS = [
  ["Metrics", "The DORA metrics, as of the last recompute."],
  ["Deployments", "Stored deployments."],
  ["Incidents", "Stored incidents and the deployments they are linked to."],
  ["Services", "The service catalog, and the names it does not know yet."],
  ["Integrations", "Webhook credentials and ingest URLs (admin)."],
  ["Tokens", "Read-only tokens for dashboards (admin)."],
  ["Maintenance", "One-off upkeep after an upgrade (admin)."],
  ["Reference", "Health, this document and its interactive reference."],
  ["Dashboard", "The built-in dashboard page and its assets."],
  ["Generic", "Our own webhook format."],
  ["OpsLevel", "OpsLevel's deploy and service-created webhooks."],
  ["GitHub", "GitHub's deployment_status webhook."],
  ["GitLab", "GitLab's deployment webhook."],
  ["PagerDuty", "PagerDuty's V3 incident webhooks."],
  ["DevLake", "Apache DevLake's incoming webhook."],
  ["DevGrid", "DevGrid's deploy events."],
  ["Harness SEI", "Harness SEI's custom CI/CD endpoint."],
] as const;

const SECURITY_SCHEMES = {
  adminBearer: { type: "http", scheme: "bearer", description: "`ADMIN_TOKEN` (or `ADMIN_TOKEN_NEXT` during a rotation)." },
  readBearer: { type: "http", scheme: "bearer", description: "A read token from `POST /api/v1/tokens`; the admin token works too." },
  webhookBearer: { type: "http", scheme: "bearer", description: "The integration's secret." },
  devlakeBasic: { type: "http", scheme: "basic", description: "DevLake's Basic auth: the integration's secret as the password." },
  gitlabToken: { type: "apiKey", in: "header", name: "X-Gitlab-Token", description: "The integration's secret." },
  devgridApiKey: { type: "apiKey", in: "header", name: "x-api-key", description: "The integration's secret." },
  githubSignature: { type: "apiKey", in: "header", name: "X-Hub-Signature-256", description: "`sha256=` and the HMAC-SHA256 of the raw body under the integration's secret." },
  pagerdutySignature: { type: "apiKey", in: "header", name: "X-PagerDuty-Signature", description: "`v1=` and the HMAC-SHA256 of the raw body under the integration's signing secret." },
};

function buildDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationObject(op);
  return {
    openapi: "3.1.0",
    info: {
      title: "DORA edge receiver",
      version: "0.1.0",
      description: "Receives deployment and incident webhooks and serves the DORA metrics as JSON.",
    },
    servers: [{ url: "/" }],
    tags: TAGS.map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      schemas: { Error: jsonSchemaOf(errorSchema), DevLakeError: jsonSchemaOf(devlakeErrorSchema), Metrics: jsonSchemaOf(metricsSchema) },
    },
  };
}

let built: ReturnType<typeof buildDocument> | undefined;

/** The document, built once per isolate. */
export function openApiDocument() {
  return (built ??= buildDocument());
}
