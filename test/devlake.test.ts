import { describe, expect, it } from "vitest";
import basicAuthExample from "./fixtures/devlake/deployment-basic-auth.json";
import multiRepo from "./fixtures/devlake/deployment-multi-repo.json";
import single from "./fixtures/devlake/deployment-single.json";
import incident from "./fixtures/devlake/issue-incident.json";
import { ADMIN, call, callJson, countRows, createIntegration, drain, env, type CreatedIntegration } from "./helpers";
import { canonicalKeys } from "../src/vendors/devlake/keys";
import { devlakeDeploymentSchema, normalizeDevLakeDeployment } from "../src/vendors/devlake/deployment";
import { devlakeIssueSchema, normalizeDevLakeIssue } from "../src/vendors/devlake/issue";
import { storedRaw } from "./stored";

const SUCCESS_TEXT = '{"code":0,"success":true,"message":"success","causes":null,"data":null}';
const bearer = (i: CreatedIntegration) => ({ authorization: `Bearer ${i.secret}` });
const basic = (user: string, password: string) => ({ authorization: `Basic ${btoa(`${user}:${password}`)}` });

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now()}-${++counter}`;

/** Posts like DevLake's curl examples: `curl -d` labels the JSON body as a form. */
async function post(path: string, body: unknown, headers: Record<string, string>) {
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const res = await call("POST", path, typeof body === "string" ? body : JSON.stringify(body), { ...form, ...headers });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : null };
}

async function deploymentsOf(id: string) {
  const list = await callJson("GET", `/api/v1/deployments?integration=${id}&limit=50`, undefined, ADMIN);
  expect(list.status).toBe(200);
  return list.json.items as any[];
}

async function incidentsOf(id: string) {
  const { results } = await env.DB.prepare("SELECT * FROM incidents WHERE integration_id = ? ORDER BY seq").bind(id).all<any>();
  return results;
}

describe("DevLake adapter", () => {
  it("matches keys case-insensitively and across snake_case and camelCase", () => {
    expect(canonicalKeys({ CommitSha: "a", REPO_URL: "r", other: 1 }, ["commit_sha", "repo_url"])).toEqual({ commit_sha: "a", repo_url: "r", other: 1 });
  });

  it("hashes commits and start time into the same key whatever the commit order", async () => {
    const a = devlakeDeploymentSchema.parse({ ...multiRepo, pipeline_id: null });
    const b = devlakeDeploymentSchema.parse({ ...multiRepo, pipeline_id: null, deploymentCommits: [...multiRepo.deploymentCommits].reverse() });
    const c = devlakeDeploymentSchema.parse({ ...multiRepo, pipeline_id: null, start_time: "2020-01-01T12:00:01+00:00" });
    const now = "2026-01-01T00:00:00.000Z";
    const [ka, kb, kc] = await Promise.all([a, b, c].map(async (d) => (await normalizeDevLakeDeployment(d, d, now)).dedup_key));
    expect(ka).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(kb).toBe(ka);
    expect(kc).not.toBe(ka);
  });

  it("maps results onto canonical statuses, SUCCESS by default", async () => {
    const statuses = [];
    for (const result of [undefined, "SUCCESS", "failure", "Abort", "MANUAL"]) {
      const d = devlakeDeploymentSchema.parse({ ...single, result });
      statuses.push((await normalizeDevLakeDeployment(d, d, "2026-01-01T00:00:00.000Z")).status);
    }
    expect(statuses).toEqual(["success", "success", "failure", "aborted", "pending"]);
  });

  it("counts only INCIDENT issues, in any case, and resolves DONE ones", () => {
    const at = "2026-01-01T00:00:00.000Z";
    const bug = normalizeDevLakeIssue(devlakeIssueSchema.parse({ ...incident, type: "BUG" }), {}, at);
    const lower = normalizeDevLakeIssue(devlakeIssueSchema.parse({ ...incident, type: "incident" }), {}, at);
    const done = normalizeDevLakeIssue(devlakeIssueSchema.parse({ ...incident, status: "done" }), {}, at);
    expect([bug.counted, lower.counted]).toEqual([false, true]);
    expect(done).toMatchObject({ status: "resolved", resolved_at: "2020-01-01T12:00:00.000Z" });
  });
});

describe("DevLake deployments webhook", () => {
  it("stores the documented single-repo deployment and answers DevLake's reply byte for byte", async () => {
    const service = unique("dl-single");
    const integration = await createIntegration("devlake", { service });
    const res = await post(`/api/rest/plugins/webhook/${integration.id}/deployments`, single, bearer(integration));
    expect(res.status, res.text).toBe(200);
    expect(res.text).toBe(SUCCESS_TEXT);
    await drain(integration.id);
    const [stored, ...rest] = await deploymentsOf(integration.id);
    expect(rest).toHaveLength(0);
    expect(stored).toMatchObject({
      dedup_key: "optional-pipeline-id",
      service,
      environment: "production",
      environment_raw: "PRODUCTION",
      status: "failure",
      started_at: "2020-01-01T12:00:00.000Z",
      finished_at: "2020-01-02T13:00:00.000Z",
      description: single.name,
      commits: [
        {
          sha: "015e3d3b480e417aede5a1293bd61de9b0fd051d",
          repository: "https://github.com/apache/incubator-devlake/",
          branch: "optional-release-v0.17",
          message: "optional-commit-message",
        },
      ],
    });
    const detail = await callJson("GET", `/api/v1/deployments/${stored.id}`, undefined, ADMIN);
    expect(detail.json.raw).toEqual(single);
  });

  it("accepts the multi-repo example on every path prefix and connection form, as one deployment", async () => {
    const integration = await createIntegration("devlake");
    for (const prefix of ["", "/api", "/api/rest"]) {
      for (const base of [`/plugins/webhook/${integration.id}`, `/plugins/webhook/connections/${integration.id}`]) {
        const res = await post(`${prefix}${base}/deployments`, multiRepo, bearer(integration));
        expect(res.status, `${prefix}${base}: ${res.text}`).toBe(200);
        expect(res.text).toBe(SUCCESS_TEXT);
      }
    }
    await drain(integration.id);
    const [stored, ...rest] = await deploymentsOf(integration.id);
    expect(rest).toHaveLength(0);
    expect(stored.commits.map((c: any) => [c.repository, c.sha, c.message]).sort()).toEqual([
      ["repo-1", "c1", "optional-msg-1"],
      ["repo-2", "c2", "optional-msg-2"],
    ]);
    // Without a default service, the first repository names it (and is suggested to the catalog).
    expect(stored.service).toBe("repo-1");
  });

  it("accepts Basic auth whose password is the secret, and dedups a repost without ids by commits and start time", async () => {
    const integration = await createIntegration("devlake");
    const path = `/api/rest/plugins/webhook/${integration.id}/deployments`;
    expect((await post(path, basicAuthExample, basic("username", integration.secret))).status).toBe(200);
    expect((await post(path, basicAuthExample, basic("someone-else", integration.secret))).status).toBe(200);
    expect((await post(path, { ...basicAuthExample, start_time: "2020-01-03T12:00:00+00:00" }, basic("u", integration.secret))).status).toBe(200);
    await drain(integration.id);
    const stored = await deploymentsOf(integration.id);
    expect(stored).toHaveLength(2);
    expect(stored.every((d) => d.dedup_key.startsWith("sha256:"))).toBe(true);
    expect(stored.find((d) => d.started_at === "2020-01-01T12:00:00.000Z")).toMatchObject({
      status: "success",
      finished_at: "2020-01-02T12:00:00.000Z",
      commits: [{ sha: "the sha of deployment commit1", repository: "the repo URL of the deployment commit" }],
    });
  });

  it("accepts DevLake 1.0's camelCase payload with keys in any case", async () => {
    const integration = await createIntegration("devlake", { service: unique("dl-camel") });
    const body = {
      id: "deploy-42",
      displayTitle: "Release 42",
      Result: "success",
      environment: "STAGING",
      StartedDate: "2024-05-01T10:00:00+02:00",
      finishedDate: "2024-05-01T10:05:00+02:00",
      deploymentCommits: [
        { repoUrl: "https://github.com/acme/api", CommitSha: "abc123", refName: "main", commitMsg: "fix", startedDate: "2024-05-01T08:00:00Z", finishedDate: "2024-05-01T08:05:00Z" },
      ],
    };
    const res = await post(`/plugins/webhook/${integration.id}/deployments`, body, bearer(integration));
    expect(res.status, res.text).toBe(200);
    await drain(integration.id);
    expect(await deploymentsOf(integration.id)).toMatchObject([
      {
        dedup_key: "deploy-42",
        environment: "staging",
        environment_raw: "STAGING",
        status: "success",
        description: "Release 42",
        started_at: "2024-05-01T08:00:00.000Z",
        finished_at: "2024-05-01T08:05:00.000Z",
        commits: [{ sha: "abc123", repository: "https://github.com/acme/api", branch: "main", message: "fix" }],
      },
    ]);
  });

  it("defaults the end to the time of receipt, as DevLake does", async () => {
    const integration = await createIntegration("devlake");
    const before = new Date().toISOString();
    await post(`/plugins/webhook/${integration.id}/deployments`, { commit_sha: "s1", repo_url: "r", start_time: "2020-01-01T12:00:00Z" }, bearer(integration));
    await drain(integration.id);
    const [stored] = await deploymentsOf(integration.id);
    expect(stored.finished_at >= before).toBe(true);
  });

  it("never moves a reposted deployment backwards", async () => {
    const integration = await createIntegration("devlake");
    const path = `/plugins/webhook/${integration.id}/deployments`;
    const base = { id: unique("dep"), repo_url: "r", commit_sha: "s", start_time: "2024-01-01T10:00:00Z" };
    // In order: waiting for a manual step, then succeeded.
    expect((await post(path, { ...base, result: "MANUAL", end_time: "2024-01-01T10:01:00Z" }, bearer(integration))).status).toBe(200);
    expect((await post(path, { ...base, result: "SUCCESS", end_time: "2024-01-01T10:10:00Z" }, bearer(integration))).status).toBe(200);
    // Out of order: an earlier-dated failure and a non-terminal repost arrive late; both are acknowledged and ignored.
    expect((await post(path, { ...base, result: "FAILURE", end_time: "2024-01-01T10:05:00Z" }, bearer(integration))).status).toBe(200);
    expect((await post(path, { ...base, result: "MANUAL", end_time: "2024-01-01T11:00:00Z" }, bearer(integration))).status).toBe(200);
    await drain(integration.id);
    expect(await deploymentsOf(integration.id)).toMatchObject([{ dedup_key: base.id, status: "success", finished_at: "2024-01-01T10:10:00.000Z" }]);
    // A later-dated terminal repost does replace it.
    await post(path, { ...base, result: "FAILURE", end_time: "2024-01-01T12:00:00Z" }, bearer(integration));
    await drain(integration.id);
    expect(await deploymentsOf(integration.id)).toMatchObject([{ status: "failure", finished_at: "2024-01-01T12:00:00.000Z" }]);
  });

  it.each(["commit_sha", "repo_url", "start_time"])("answers 400 in DevLake's shape naming %s when it is missing", async (field) => {
    const integration = await createIntegration("devlake");
    const body: Record<string, unknown> = { ...single };
    delete body[field];
    const res = await post(`/plugins/webhook/${integration.id}/deployments`, body, bearer(integration));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      success: false,
      message: `param is missing or the value is empty: ${field}`,
      causes: [`param is missing or the value is empty: ${field}`],
    });
    await drain(integration.id);
    expect(await countRows("deployments", integration.id)).toBe(0);
  });

  it("names camelCase fields for a camelCase payload, and each commit's missing field", async () => {
    const integration = await createIntegration("devlake");
    const path = `/plugins/webhook/${integration.id}/deployments`;
    const noStart = await post(path, { id: "x", deploymentCommits: [{ repoUrl: "r", commitSha: "s" }] }, bearer(integration));
    expect(noStart.json.causes).toEqual(["param is missing or the value is empty: startedDate"]);
    const noSha = await post(path, { id: "x", startedDate: "2024-01-01T00:00:00Z", deploymentCommits: [{ repoUrl: "r" }] }, bearer(integration));
    expect(noSha.json.causes).toEqual(["param is missing or the value is empty: deploymentCommits.0.commit_sha"]);
  });

  it("refuses an unknown result and a malformed time", async () => {
    const integration = await createIntegration("devlake");
    const path = `/plugins/webhook/${integration.id}/deployments`;
    const badResult = await post(path, { ...single, result: "DONE" }, bearer(integration));
    expect(badResult.status).toBe(400);
    expect(badResult.json.causes).toEqual(["result: must be one of SUCCESS, FAILURE, ABORT, MANUAL"]);
    const badTime = await post(path, { ...single, start_time: "yesterday" }, bearer(integration));
    expect(badTime.status).toBe(400);
    expect(badTime.json.causes[0]).toMatch(/^start_time: is not a valid time/);
  });

  it("answers malformed JSON with 400 saying where", async () => {
    const integration = await createIntegration("devlake");
    const res = await post(`/plugins/webhook/${integration.id}/deployments`, '{"commit_sha": "a",, }', bearer(integration));
    expect(res.status).toBe(400);
    expect(res.json.success).toBe(false);
    expect(res.json.message).toMatch(/^malformed JSON: .* at position 19 \(line 1 column 20\)$/);
  });

  it("answers every credential failure with the same 401 and stores nothing", async () => {
    const integration = await createIntegration("devlake");
    const other = await createIntegration("devlake");
    const opslevel = await createIntegration("opslevel");
    const path = `/api/rest/plugins/webhook/${integration.id}/deployments`;
    const cases: [string, Record<string, string>][] = [
      [path, {}],
      [path, { authorization: "Bearer wrong-secret" }],
      [path, basic("username", "wrong-secret")],
      [path, basic(integration.secret, "")],
      [path, bearer(other)],
      [`/api/rest/plugins/webhook/00000000-0000-0000-0000-000000000000/deployments`, bearer(integration)],
      [`/api/rest/plugins/webhook/${opslevel.id}/deployments`, bearer(opslevel)],
    ];
    const bodies = new Set<string>();
    for (const [p, headers] of cases) {
      const res = await post(p, single, headers);
      expect(res.status, `${p} ${JSON.stringify(headers)}`).toBe(401);
      expect(res.json.success).toBe(false);
      bodies.add(res.text);
    }
    expect(bodies.size).toBe(1);
    await drain(integration.id);
    expect(await countRows("deployments", integration.id)).toBe(0);
  });

  it("refuses the secret as soon as the integration is deleted", async () => {
    const integration = await createIntegration("devlake");
    expect((await callJson("DELETE", `/api/v1/integrations/${integration.id}`, undefined, ADMIN)).status).toBe(204);
    expect((await post(`/plugins/webhook/${integration.id}/deployments`, single, bearer(integration))).status).toBe(401);
  });
});

describe("DevLake issues webhook", () => {
  it("stores the documented incident, upserts it by key, and closes it", async () => {
    const service = unique("dl-issue");
    const integration = await createIntegration("devlake", { service });
    const base = `/api/rest/plugins/webhook/${integration.id}`;
    const first = await post(`${base}/issues`, incident, bearer(integration));
    expect(first.status, first.text).toBe(200);
    expect(first.text).toBe(SUCCESS_TEXT);
    await drain(integration.id);
    expect(await incidentsOf(integration.id)).toMatchObject([
      { dedup_key: "DLK-1234", service, environment: "production", status: "open", counted: 1, title: "a feature from DLK", url: null, created_at: "2020-01-01T12:00:00.000Z", resolved_at: null },
    ]);

    expect((await post(`${base}/issues`, { ...incident, title: "renamed" }, bearer(integration))).status).toBe(200);
    const before = new Date().toISOString();
    const closed = await post(`${base}/issue/DLK-1234/close`, "", bearer(integration));
    expect(closed.status, closed.text).toBe(200);
    expect(closed.text).toBe(SUCCESS_TEXT);
    // Closing twice is harmless.
    expect((await post(`${base}/issue/DLK-1234/close`, "", bearer(integration))).status).toBe(200);
    await drain(integration.id);
    const [stored, ...rest] = await incidentsOf(integration.id);
    expect(rest).toHaveLength(0);
    expect(stored).toMatchObject({ title: "renamed", status: "resolved", seq: 1 });
    expect(stored.resolved_at >= before).toBe(true);
    expect(await storedRaw(stored.id)).toEqual({ ...incident, title: "renamed" });

    // A later open repost does not reopen it.
    await post(`${base}/issues`, incident, bearer(integration));
    await drain(integration.id);
    expect((await incidentsOf(integration.id))[0]).toMatchObject({ status: "resolved", title: "renamed" });
  });

  it("keeps the issue's own resolution date when closed", async () => {
    const integration = await createIntegration("devlake");
    const base = `/plugins/webhook/connections/${integration.id}`;
    await post(`${base}/issues`, { ...incident, issue_key: "K-2", resolution_date: "2020-01-02T08:00:00+01:00" }, bearer(integration));
    expect((await post(`${base}/issue/K-2/close`, "", bearer(integration))).status).toBe(200);
    await drain(integration.id);
    expect(await incidentsOf(integration.id)).toMatchObject([{ status: "resolved", resolved_at: "2020-01-02T07:00:00.000Z" }]);
  });

  it("accepts camelCase issues and stores other issue types uncounted", async () => {
    const integration = await createIntegration("devlake");
    const base = `/api/plugins/webhook/${integration.id}`;
    const camel = { issueKey: "INC-7", title: "db down", type: "Incident", status: "DONE", originalStatus: "closed", createdDate: "2024-02-01T10:00:00Z", resolutionDate: "2024-02-01T11:30:00Z" };
    expect((await post(`${base}/issues`, camel, bearer(integration))).status).toBe(200);
    expect((await post(`${base}/issues`, { ...incident, issue_key: "BUG-1", type: "BUG" }, bearer(integration))).status).toBe(200);
    await drain(integration.id);
    const rows = await incidentsOf(integration.id);
    expect(rows.find((r) => r.dedup_key === "INC-7")).toMatchObject({ counted: 1, status: "resolved", created_at: "2024-02-01T10:00:00.000Z", resolved_at: "2024-02-01T11:30:00.000Z" });
    expect(rows.find((r) => r.dedup_key === "BUG-1")).toMatchObject({ counted: 0, status: "open" });
  });

  it("answers 404 in DevLake's shape when closing an unknown issue", async () => {
    const integration = await createIntegration("devlake");
    const res = await post(`/plugins/webhook/${integration.id}/issue/NOPE-1/close`, "", bearer(integration));
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ success: false, message: 'no issue with key "NOPE-1"', causes: ['no issue with key "NOPE-1"'] });
  });

  it("refuses a close without a valid credential", async () => {
    const integration = await createIntegration("devlake");
    await post(`/plugins/webhook/${integration.id}/issues`, incident, bearer(integration));
    expect((await post(`/plugins/webhook/${integration.id}/issue/DLK-1234/close`, "", {})).status).toBe(401);
    expect((await post(`/plugins/webhook/${integration.id}/issue/DLK-1234/close`, "", { authorization: "Bearer nope" })).status).toBe(401);
    await drain(integration.id);
    expect((await incidentsOf(integration.id))[0].status).toBe("open");
  });

  it.each(["issue_key", "title", "status", "created_date"])("answers 400 naming %s when it is missing", async (field) => {
    const integration = await createIntegration("devlake");
    const body: Record<string, unknown> = { ...incident };
    delete body[field];
    const res = await post(`/plugins/webhook/${integration.id}/issues`, body, bearer(integration));
    expect(res.status).toBe(400);
    expect(res.json.causes).toEqual([`param is missing or the value is empty: ${field}`]);
    await drain(integration.id);
    expect(await countRows("incidents", integration.id)).toBe(0);
  });

  it("refuses a status outside TODO, DONE, IN_PROGRESS, and malformed JSON", async () => {
    const integration = await createIntegration("devlake");
    const bad = await post(`/plugins/webhook/${integration.id}/issues`, { ...incident, status: "OPEN" }, bearer(integration));
    expect(bad.json.causes).toEqual(["status: must be one of TODO, DONE, IN_PROGRESS"]);
    const malformed = await post(`/plugins/webhook/${integration.id}/issues`, "{", bearer(integration));
    expect(malformed.status).toBe(400);
    expect(malformed.json.message).toMatch(/^malformed JSON/);
  });
});

describe("DevLake error shape beyond the routes (found by the path fuzzer)", () => {
  it("answers a wrong method with 405 and Allow, and an unknown path under the webhook with 404, both in DevLake's shape", async () => {
    const id = crypto.randomUUID();
    const wrongMethod = await callJson("GET", `/api/rest/plugins/webhook/${id}/deployments`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    expect(wrongMethod.json).toEqual({ success: false, message: "GET is not allowed here; use POST", causes: ["GET is not allowed here; use POST"] });
    const unknown = await callJson("POST", "/plugins/webhook/");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ success: false, causes: [expect.stringContaining("no route POST /plugins/webhook/")] });
  });
});
