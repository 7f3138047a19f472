/**
 * Every vendor ingest route as data: its documented example, how a request carries the
 * credential, and how to give a body a dedup key of its own. The fuzz, auth-matrix and
 * concurrency tests walk this table so that a new route is covered by adding one entry.
 */
import { SELF } from "cloudflare:test";
import devgrid from "./fixtures/devgrid/workflow-1-basic.json";
import devlakeDeployment from "./fixtures/devlake/deployment-single.json";
import devlakeIssue from "./fixtures/devlake/issue-incident.json";
import generic from "./fixtures/generic/deployment.json";
import genericIncident from "./fixtures/generic/incident.json";
import github from "./fixtures/github/deployment_status.json";
import gitlab from "./fixtures/gitlab/deployment.json";
import opslevel from "./fixtures/opslevel/deploy.json";
import pagerduty from "./fixtures/pagerduty/incident.triggered.json";
import sei from "./fixtures/harness-sei/request-body-data.json";
import { BASE } from "./helpers";
import { hmacHex } from "./signing";

export interface Target {
  id: string;
  secret: string;
}

export interface VendorRoute {
  name: string;
  vendor: string;
  /** The vendor's documented example. */
  fixture: unknown;
  /** How the request proves itself: the id in the URL, a secret or signature beside it, or a secret alone. */
  auth: "id" | "id+secret" | "secret";
  /** DevLake answers errors in its own shape; the rest in `{"errors":[...]}`. */
  errorShape: "standard" | "devlake";
  /** Sets a dedup key on a (possibly mutated) body, where the body still has room for it. */
  keyed(body: any, key: string, n: number): void;
  /** The path and headers of a request with this body; `credential` replaces the secret (null: none). */
  request(t: Target, body: string, credential?: string | null): Promise<{ path: string; headers: Record<string, string> }>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const cred = (t: Target, credential: string | null | undefined) => (credential === undefined ? t.secret : credential);
const bearer = (c: string | null): Record<string, string> => (c === null ? {} : { authorization: `Bearer ${c}` });

function devlakeRoute(kind: "deployments" | "issues", fixture: unknown, key: string): VendorRoute {
  return {
    name: `devlake ${kind}`,
    vendor: "devlake",
    fixture,
    auth: "id+secret",
    errorShape: "devlake",
    keyed: (b, k) => {
      if (isObject(b)) b[key] = k;
    },
    request: async (t, _body, c) => ({ path: `/api/rest/plugins/webhook/${t.id}/${kind}`, headers: bearer(cred(t, c)) }),
  };
}

function genericRoute(kind: "deployments" | "incidents", fixture: unknown): VendorRoute {
  return {
    name: `generic ${kind}`,
    vendor: "generic",
    fixture,
    auth: "id+secret",
    errorShape: "standard",
    keyed: (b, k) => {
      if (isObject(b)) b.dedup_key = k;
    },
    request: async (t, _body, c) => ({ path: `/webhooks/generic/${t.id}/${kind}`, headers: bearer(cred(t, c)) }),
  };
}

export const VENDOR_ROUTES: VendorRoute[] = [
  {
    name: "opslevel deploy",
    vendor: "opslevel",
    fixture: opslevel,
    auth: "id",
    errorShape: "standard",
    keyed: (b, k) => {
      if (isObject(b)) b.dedup_id = k;
    },
    request: async (t) => ({ path: `/integrations/deploy/${t.id}`, headers: {} }),
  },
  devlakeRoute("deployments", devlakeDeployment, "pipeline_id"),
  devlakeRoute("issues", devlakeIssue, "issue_key"),
  {
    name: "devgrid events",
    vendor: "devgrid",
    fixture: devgrid,
    auth: "secret",
    errorShape: "standard",
    keyed: (b, k) => {
      if (!isObject(b) || !Array.isArray(b.events)) return;
      b.events.forEach((e: unknown, i: number) => {
        if (isObject(e) && isObject(e.attributes)) e.attributes.dedup_id = `${k}-${i}`;
      });
    },
    request: async (t, _body, c) => {
      const key = cred(t, c);
      const headers: Record<string, string> = key === null ? {} : { "x-api-key": key };
      return { path: "/events", headers };
    },
  },
  {
    name: "harness-sei custom-cicd",
    vendor: "harness-sei",
    fixture: sei,
    auth: "secret",
    errorShape: "standard",
    keyed: (b, k) => {
      if (isObject(b)) b.execution_id = k;
    },
    request: async (t, _body, c) => ({ path: "/v1/custom-cicd", headers: bearer(cred(t, c)) }),
  },
  {
    name: "github deployment_status",
    vendor: "github",
    fixture: github,
    auth: "id+secret",
    errorShape: "standard",
    keyed: (b, _k, n) => {
      if (isObject(b) && isObject(b.deployment)) b.deployment.id = n;
    },
    request: async (t, body, c) => {
      const key = cred(t, c);
      const headers: Record<string, string> = { "x-github-event": "deployment_status", "x-github-delivery": crypto.randomUUID() };
      if (key !== null) headers["x-hub-signature-256"] = `sha256=${await hmacHex(key, body)}`;
      return { path: `/webhooks/github/${t.id}`, headers };
    },
  },
  {
    name: "gitlab deployment",
    vendor: "gitlab",
    fixture: gitlab,
    auth: "id+secret",
    errorShape: "standard",
    keyed: (b, _k, n) => {
      if (isObject(b)) b.deployment_id = n;
    },
    request: async (t, _body, c) => {
      const key = cred(t, c);
      const headers: Record<string, string> = key === null ? {} : { "x-gitlab-token": key };
      return { path: `/webhooks/gitlab/${t.id}`, headers };
    },
  },
  {
    name: "pagerduty incident",
    vendor: "pagerduty",
    fixture: pagerduty,
    auth: "id+secret",
    errorShape: "standard",
    keyed: (b, k) => {
      if (isObject(b) && isObject(b.event) && isObject(b.event.data)) b.event.data.id = k;
    },
    request: async (t, body, c) => {
      const key = cred(t, c);
      const headers: Record<string, string> = key === null ? {} : { "x-pagerduty-signature": `v1=${await hmacHex(key, body)}` };
      return { path: `/webhooks/pagerduty/${t.id}`, headers };
    },
  },
  genericRoute("deployments", generic),
  genericRoute("incidents", genericIncident),
];

/** Sends `body` (text, sent as is) on `route` for integration `t`, and reads the JSON reply. */
export async function send(route: VendorRoute, t: Target, body: string, credential?: string | null) {
  const { path, headers } = await route.request(t, body, credential);
  const res = await SELF.fetch(`${BASE}${path}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The detail strings of an error reply in the route's shape, or null when the reply is not in it. */
export function errorDetails(route: Pick<VendorRoute, "errorShape">, json: any): string[] | null {
  if (route.errorShape === "devlake") {
    if (!isObject(json) || json.success !== false || typeof json.message !== "string" || !Array.isArray(json.causes)) return null;
    return json.causes as string[];
  }
  if (!isObject(json) || !Array.isArray(json.errors) || json.errors.length === 0) return null;
  const ok = json.errors.every((e: any) => isObject(e) && typeof e.status === "number" && typeof e.title === "string" && typeof e.detail === "string");
  return ok ? json.errors.map((e: any) => e.detail as string) : null;
}
