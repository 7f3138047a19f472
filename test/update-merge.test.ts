/**
 * A later event for a stored record keeps every field an earlier one gave and it lacks, for each
 * vendor whose events update records: a two-step lifecycle, posted in order and out of order,
 * must leave the same row in D1 (status and terminal time never move backwards).
 */
import { describe, expect, it } from "vitest";
import github from "./fixtures/github/deployment_status.json";
import gitlab from "./fixtures/gitlab/deployment.json";
import pdResolved from "./fixtures/pagerduty/incident.resolved.json";
import pdTriggered from "./fixtures/pagerduty/incident.triggered.json";
import type { IntegrationObject } from "../src/ingest/integration-object";
import { sha256Hex } from "../src/lib/crypto";
import { normalizeGenericIncident } from "../src/vendors/generic/normalize";
import { genericIncidentSchema } from "../src/vendors/generic/schema";
import { callJson, createIntegration, drain, env, integrationStub, type CreatedIntegration } from "./helpers";
import { storedRaw } from "./stored";
import { hmacHex, postRaw } from "./signing";

interface Lifecycle {
  name: string;
  vendor: string;
  /** Extra fields of the integration's creation. */
  create?: () => Record<string, unknown>;
  table: "deployments" | "incidents";
  /** The earlier step, carrying fields the later one lacks. */
  earlier: unknown;
  later: unknown;
  post(integration: CreatedIntegration, body: unknown): Promise<{ status: number; text: string }>;
  /** The row both orders must leave. */
  expected: Record<string, unknown>;
}

const bearer = (t: CreatedIntegration) => ({ authorization: `Bearer ${t.secret}` });

const devlakeCommit = { repo_url: "https://github.com/acme/shop", commit_sha: "a1b2c3d4e5f6", commit_msg: "Fix tax", ref_name: "main" };

const lifecycles: Lifecycle[] = [
  {
    name: "devlake deployment",
    vendor: "devlake",
    table: "deployments",
    earlier: {
      id: "dl-deploy-1",
      result: "MANUAL",
      environment: "staging",
      displayTitle: "Release 42",
      url: "https://ci.example.com/runs/42",
      startedDate: "2026-03-01T10:00:00Z",
      deploymentCommits: [devlakeCommit],
    },
    later: { id: "dl-deploy-1", result: "SUCCESS", startedDate: "2026-03-01T10:00:00Z", finishedDate: "2026-03-01T10:05:00Z", commit_sha: "a1b2c3d4e5f6" },
    post: (t, body) => callJson("POST", `/api/rest/plugins/webhook/${t.id}/deployments`, body, bearer(t)),
    expected: {
      status: "success",
      environment: "staging",
      description: "Release 42",
      url: "https://ci.example.com/runs/42",
      started_at: "2026-03-01T10:00:00.000Z",
      finished_at: "2026-03-01T10:05:00.000Z",
    },
  },
  {
    name: "devlake issue",
    vendor: "devlake",
    table: "incidents",
    earlier: { issue_key: "DLK-7", title: "Checkout down", type: "INCIDENT", status: "TODO", url: "https://jira.example.com/DLK-7", created_date: "2026-03-01T11:00:00Z" },
    later: { issue_key: "DLK-7", title: "Checkout down", type: "INCIDENT", status: "DONE", created_date: "2026-03-01T11:00:00Z", resolution_date: "2026-03-01T12:00:00Z" },
    post: (t, body) => callJson("POST", `/api/rest/plugins/webhook/${t.id}/issues`, body, bearer(t)),
    expected: { status: "resolved", title: "Checkout down", url: "https://jira.example.com/DLK-7", created_at: "2026-03-01T11:00:00.000Z", resolved_at: "2026-03-01T12:00:00.000Z" },
  },
  {
    name: "github",
    vendor: "github",
    table: "deployments",
    earlier: {
      ...github,
      deployment_status: { ...github.deployment_status, state: "in_progress", created_at: "2019-05-15T15:21:00Z", target_url: "https://ci.example.com/gh/1", description: "deploying" },
    },
    later: {
      ...github,
      deployment_status: { ...github.deployment_status, state: "success", created_at: "2019-05-15T15:25:00Z", target_url: "", description: "" },
      deployment: { ...github.deployment, created_at: null, creator: null, description: null },
    },
    post: githubPost,
    expected: {
      status: "success",
      started_at: "2019-05-15T15:21:00.000Z",
      finished_at: "2019-05-15T15:25:00.000Z",
      url: "https://ci.example.com/gh/1",
      description: "deploying",
      deployer_name: "Codertocat",
    },
  },
  {
    name: "gitlab",
    vendor: "gitlab",
    table: "deployments",
    earlier: { ...gitlab, status: "running", status_changed_at: "2021-04-28 21:45:00 +0200" },
    later: { ...gitlab, status: "success", status_changed_at: "2021-04-28 21:50:00 +0200", user: null, deployable_url: null, commit_title: null },
    post: (t, body) => callJson("POST", `/webhooks/gitlab/${t.id}`, body, { "x-gitlab-token": t.secret }),
    expected: {
      status: "success",
      started_at: "2021-04-28T19:45:00.000Z",
      finished_at: "2021-04-28T19:50:00.000Z",
      url: gitlab.deployable_url,
      description: gitlab.commit_title,
      deployer_name: "root",
      deployer_email: "admin@example.com",
    },
  },
  {
    name: "pagerduty",
    vendor: "pagerduty",
    create: () => ({ secret: `pd-${crypto.randomUUID()}` }),
    table: "incidents",
    earlier: pdTriggered,
    later: { ...pdResolved, event: { ...pdResolved.event, data: { ...pdResolved.event.data, title: null, html_url: null } } },
    post: async (t, body) => {
      const text = JSON.stringify(body);
      const headers = { "x-webhook-id": crypto.randomUUID(), "x-pagerduty-signature": `v1=${await hmacHex(t.secret, text)}` };
      return postRaw(`/webhooks/pagerduty/${t.id}`, text, headers);
    },
    expected: {
      status: "resolved",
      title: pdTriggered.event.data.title,
      url: pdTriggered.event.data.html_url,
      created_at: "2020-04-09T15:16:27.000Z",
      resolved_at: pdResolved.event.occurred_at,
    },
  },
  {
    name: "generic deployment",
    vendor: "generic",
    table: "deployments",
    earlier: {
      dedup_key: "gen-1",
      service: "checkout",
      environment: "staging",
      status: "in_progress",
      started_at: "2026-03-02T09:00:00Z",
      change_id: "CHG-1",
      url: "https://ci.example.com/gen/1",
      description: "Release 7",
      deployer: { name: "Pam", email: "pam@example.com" },
      commits: [{ sha: "0123456789abcdef", message: "Fix" }],
    },
    later: { dedup_key: "gen-1", status: "success", finished_at: "2026-03-02T09:10:00Z", deployer: { name: "Jim" } },
    post: (t, body) => callJson("POST", `/webhooks/generic/${t.id}/deployments`, body, bearer(t)),
    expected: {
      status: "success",
      service_name: "checkout",
      environment: "staging",
      started_at: "2026-03-02T09:00:00.000Z",
      finished_at: "2026-03-02T09:10:00.000Z",
      change_id: "CHG-1",
      url: "https://ci.example.com/gen/1",
      description: "Release 7",
      deployer_name: "Jim",
      deployer_email: "pam@example.com",
    },
  },
  {
    name: "generic incident",
    vendor: "generic",
    table: "incidents",
    earlier: {
      dedup_key: "INC-9",
      service: "checkout",
      title: "Errors on pay",
      url: "https://status.example.com/9",
      created_at: "2026-03-02T10:00:00Z",
      links: { deployment_id: "gen-1", commit_sha: "0123456789abcdef" },
    },
    later: { dedup_key: "INC-9", created_at: "2026-03-02T10:00:00Z", resolved_at: "2026-03-02T11:00:00Z", links: { change_id: "CHG-1" } },
    post: (t, body) => callJson("POST", `/webhooks/generic/${t.id}/incidents`, body, bearer(t)),
    expected: {
      status: "resolved",
      service_name: "checkout",
      title: "Errors on pay",
      url: "https://status.example.com/9",
      resolved_at: "2026-03-02T11:00:00.000Z",
      link_change_id: "CHG-1",
      link_deployment_id: "gen-1",
      link_commit_sha: "0123456789abcdef",
    },
  },
];

async function storedRow(table: string, integrationId: string) {
  await drain(integrationId);
  const { results } = await env.DB.prepare(`SELECT * FROM ${table} WHERE integration_id = ?`).bind(integrationId).all<Record<string, unknown>>();
  return results;
}

/** Posts `bodies` one after another to a new integration of `vendor`, each accepted, and returns the rows of `table` it stored. */
async function postedInTurn<B>(vendor: string, options: Record<string, unknown>, post: (integration: CreatedIntegration, body: B) => Promise<{ status: number; text: string }>, table: string, bodies: B[]) {
  const integration = await createIntegration(vendor, options);
  for (const body of bodies) {
    const res = await post(integration, body);
    expect(res.status, res.text).toBeLessThan(300);
  }
  return storedRow(table, integration.id);
}

describe("a later event keeps what an earlier one told us", () => {
  describe.each(lifecycles)("$name", (lifecycle) => {
    it.each([
      ["in order", ["earlier", "later"] as const],
      ["out of order", ["later", "earlier"] as const],
    ])("%s", async (_order, steps) => {
      const rows = await postedInTurn(lifecycle.vendor, lifecycle.create?.() ?? {}, lifecycle.post, lifecycle.table, steps.map((step) => lifecycle[step]));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject(lifecycle.expected);
      // The stored raw is the latest delivery's.
      expect(await storedRaw(rows[0]!.id as string)).toEqual(lifecycle[steps[1]]);
    });
  });

  it("answers a redelivery that changes nothing as a duplicate, and gives it no number", async () => {
    const integration = await createIntegration("generic");
    const body = { dedup_key: "same-1", status: "success", finished_at: "2026-03-02T09:10:00Z", url: "https://ci.example.com/x" };
    const post = () => callJson("POST", `/webhooks/generic/${integration.id}/deployments`, body, bearer(integration));
    expect((await post()).json.results[0].result).toBe("ok");
    expect((await post()).json.results[0].result).toBe("duplicate");
    const [row] = await storedRow("deployments", integration.id);
    expect(row).toMatchObject({ seq: 1, last_seq: 1 });
  });
});

interface DefaultCase {
  name: string;
  vendor: string;
  table: "deployments" | "incidents";
  /** A delivery that gives the field. */
  given: unknown;
  /** A later delivery of the same record that lacks it, so its adapter fills a default. */
  lacking: unknown;
  post(integration: CreatedIntegration, body: unknown): Promise<{ status: number; text: string }>;
  /** What `given` said, which `lacking` must not erase. */
  kept: Record<string, unknown>;
  /** What `lacking` alone, as a first delivery, is given. */
  defaults: Record<string, unknown>;
}

const devlakeDeploy = (t: CreatedIntegration, body: unknown) => callJson("POST", `/api/rest/plugins/webhook/${t.id}/deployments`, body, bearer(t));
const devlakeIssue = (t: CreatedIntegration, body: unknown) => callJson("POST", `/api/rest/plugins/webhook/${t.id}/issues`, body, bearer(t));
const genericDeploy = (t: CreatedIntegration, body: unknown) => callJson("POST", `/webhooks/generic/${t.id}/deployments`, body, bearer(t));
async function githubPost(t: CreatedIntegration, body: unknown) {
  const text = JSON.stringify(body);
  const headers = { "x-github-event": "deployment_status", "x-github-delivery": crypto.randomUUID(), "x-hub-signature-256": `sha256=${await hmacHex(t.secret, text)}` };
  return postRaw(`/webhooks/github/${t.id}`, text, headers);
}
const genericIncident = (t: CreatedIntegration, body: unknown) => callJson("POST", `/webhooks/generic/${t.id}/incidents`, body, bearer(t));

const defaultCases: DefaultCase[] = [
  {
    name: "devlake issue without type",
    vendor: "devlake",
    table: "incidents",
    given: { issue_key: "DLK-8", title: "Pay down", type: "INCIDENT", status: "TODO", created_date: "2026-03-01T11:00:00Z" },
    lacking: { issue_key: "DLK-8", title: "Pay down", status: "TODO", url: "https://jira.example.com/DLK-8", created_date: "2026-03-01T11:00:00Z" },
    post: devlakeIssue,
    kept: { counted: 1, url: "https://jira.example.com/DLK-8" },
    defaults: { counted: 0 },
  },
  {
    name: "devlake issue without resolution_date",
    vendor: "devlake",
    table: "incidents",
    given: { issue_key: "DLK-9", title: "Pay down", type: "INCIDENT", status: "DONE", created_date: "2026-03-01T11:00:00Z", resolution_date: "2026-03-01T12:00:00Z" },
    lacking: { issue_key: "DLK-9", title: "Pay down", type: "INCIDENT", status: "DONE", created_date: "2026-03-01T11:00:00Z", updated_date: "2026-03-02T09:00:00Z" },
    post: devlakeIssue,
    kept: { status: "resolved", resolved_at: "2026-03-01T12:00:00.000Z" },
    defaults: { status: "resolved", resolved_at: "2026-03-02T09:00:00.000Z" },
  },
  {
    name: "devlake deployment without result or finish",
    vendor: "devlake",
    table: "deployments",
    given: { id: "dl-deploy-2", result: "FAILURE", startedDate: "2026-03-01T10:00:00Z", finishedDate: "2026-03-01T10:05:00Z", deploymentCommits: [devlakeCommit] },
    lacking: { id: "dl-deploy-2", startedDate: "2026-03-01T10:00:00Z", url: "https://ci.example.com/runs/43", deploymentCommits: [devlakeCommit] },
    post: devlakeDeploy,
    kept: { status: "failure", finished_at: "2026-03-01T10:05:00.000Z", url: "https://ci.example.com/runs/43" },
    defaults: { status: "success" },
  },
  {
    name: "github success after in_progress",
    vendor: "github",
    table: "deployments",
    given: { ...github, deployment_status: { ...github.deployment_status, state: "in_progress", created_at: "2019-05-15T15:21:00Z" } },
    lacking: { ...github, deployment_status: { ...github.deployment_status, state: "success", created_at: "2019-05-15T15:25:00Z" } },
    post: githubPost,
    kept: { status: "success", started_at: "2019-05-15T15:21:00.000Z", finished_at: "2019-05-15T15:25:00.000Z" },
    defaults: { status: "success", started_at: "2019-05-15T15:20:53.000Z" },
  },
  {
    name: "generic incident without counted",
    vendor: "generic",
    table: "incidents",
    given: { dedup_key: "INC-10", service: "checkout", counted: false, created_at: "2026-03-02T10:00:00Z" },
    lacking: { dedup_key: "INC-10", created_at: "2026-03-02T10:00:00Z", resolved_at: "2026-03-02T11:00:00Z" },
    post: genericIncident,
    kept: { counted: 0, status: "resolved", resolved_at: "2026-03-02T11:00:00.000Z" },
    defaults: { counted: 1, status: "resolved" },
  },
  {
    name: "generic deployment without status",
    vendor: "generic",
    table: "deployments",
    given: { dedup_key: "gen-2", service: "checkout", status: "failure", finished_at: "2026-03-02T09:10:00Z" },
    lacking: { dedup_key: "gen-2", url: "https://ci.example.com/gen/2", finished_at: "2026-03-02T09:10:00Z" },
    post: genericDeploy,
    kept: { status: "failure", finished_at: "2026-03-02T09:10:00.000Z", url: "https://ci.example.com/gen/2" },
    defaults: { status: "success" },
  },
];

describe("a later event's defaults never erase what an earlier one told us", () => {
  describe.each(defaultCases)("$name", (c) => {
    it.each([
      ["in order", ["given", "lacking"] as const],
      ["out of order", ["lacking", "given"] as const],
    ])("%s", async (_order, steps) => {
      const rows = await postedInTurn(c.vendor, {}, c.post, c.table, steps.map((step) => c[step]));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject(c.kept);
    });

    it("gives a first delivery the default", async () => {
      const integration = await createIntegration(c.vendor);
      const res = await c.post(integration, c.lacking);
      expect(res.status, res.text).toBeLessThan(300);
      const rows = await storedRow(c.table, integration.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject(c.defaults);
    });
  });
});

it("queues records for D1 without the list of defaulted fields", async () => {
  const integration = await createIntegration("generic");
  const item = { dedup_key: "INC-12", created_at: "2026-03-02T10:00:00Z" };
  const event = normalizeGenericIncident(genericIncidentSchema.parse(item), item);
  expect(event.defaulted).toEqual(["counted"]);
  const credential = { kind: "secret", hash: await sha256Hex(integration.secret) } as const;
  const { runInDurableObject } = await import("cloudflare:test");
  const queued = await runInDurableObject(integrationStub(integration.id), async (instance: IntegrationObject, state) => {
    await instance.ingest({ vendor: "generic", credential, commands: [{ op: "record", event, mode: "update" }] });
    return state.storage.sql.exec<{ body: string }>("SELECT body FROM outbox").toArray().map((r) => JSON.parse(r.body) as Record<string, unknown>);
  });
  expect(queued).toHaveLength(1);
  expect(queued[0]).toMatchObject({ dedup_key: "INC-12", counted: true });
  expect(queued[0]).not.toHaveProperty("defaulted");
});

it("lets a DevLake issue's resolution date replace the time its close route was called", async () => {
  const integration = await createIntegration("devlake");
  const issue = { issue_key: "DLK-13", title: "Pay down", type: "INCIDENT", created_date: "2026-03-01T11:00:00Z" };
  for (const step of [
    () => devlakeIssue(integration, { ...issue, status: "TODO" }),
    () => callJson("POST", `/api/rest/plugins/webhook/${integration.id}/issue/DLK-13/close`, undefined, bearer(integration)),
    () => devlakeIssue(integration, { ...issue, status: "DONE", resolution_date: "2026-03-01T12:00:00Z" }),
  ]) {
    const res = await step();
    expect(res.status, res.text).toBeLessThan(300);
  }
  const rows = await storedRow("incidents", integration.id);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: "resolved", resolved_at: "2026-03-01T12:00:00.000Z", counted: 1 });
});
