import { beforeEach, describe, expect, it } from "vitest";
import documented from "./fixtures/gitlab/deployment.json";
import { gitlabDeploymentSchema, normalizeGitLabDeployment } from "../src/vendors/gitlab/deployment";
import { storedCount } from "./stored";
import { ADMIN, callJson, createIntegration, drain, putService, type CreatedIntegration } from "./helpers";

let integration: CreatedIntegration;

beforeEach(async () => {
  integration = await createIntegration("gitlab");
});

interface Options {
  token?: string | null;
  id?: string;
  idempotencyKey?: string;
}

/** Posts as GitLab does: the secret token and event name in headers. */
function post(body: unknown, o: Options = {}) {
  const headers: Record<string, string> = { "x-gitlab-event": "Deployment Hook", "idempotency-key": o.idempotencyKey ?? crypto.randomUUID() };
  const token = o.token === undefined ? integration.secret : o.token;
  if (token !== null) headers["x-gitlab-token"] = token;
  return callJson("POST", `/webhooks/gitlab/${o.id ?? integration.id}`, body, headers);
}

function status(value: string, at: string, deploymentId = 15) {
  return { ...documented, status: value, status_changed_at: at, deployment_id: deploymentId };
}

async function deployments(id = integration.id) {
  await drain(id);
  return (await callJson("GET", `/api/v1/deployments?integration=${id}`, undefined, ADMIN)).json.items as any[];
}

describe("GitLab webhook", () => {
  it("records the documented deployment event, with the full sha from commit_url and the Ruby time in UTC", async () => {
    await putService("test-deployment-webhooks", { name: "Webhooks test", repositories: ["root/test-deployment-webhooks"] });
    const res = await post(documented);
    expect(res.status, res.text).toBe(202);
    expect(res.text).toBe('{"result":"ok"}');
    const [stored, ...rest] = await deployments();
    expect(rest).toEqual([]);
    expect(stored).toMatchObject({
      dedup_key: "15",
      service: "test-deployment-webhooks",
      service_name: "root/test-deployment-webhooks",
      environment: "staging",
      environment_raw: "staging",
      status: "success",
      started_at: null,
      finished_at: "2021-04-28T19:50:00.000Z",
      url: "http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796",
      deployer: { name: "root", email: "admin@example.com" },
      commits: [
        {
          sha: "279484c09fbe69ededfced8c1bb6e6d24616b468",
          repository: "http://10.126.0.2:3000/root/test-deployment-webhooks",
          branch: "1.0.0",
        },
      ],
    });
  });

  it("moves one deployment from running to success, and a late running is stale", async () => {
    expect((await post(status("running", "2021-04-28 21:45:00 +0200", 101))).json).toEqual({ result: "ok" });
    expect((await deployments())[0]).toMatchObject({ status: "in_progress", started_at: "2021-04-28T19:45:00.000Z" });
    expect((await post(status("success", "2021-04-28 21:50:00 +0200", 101))).json).toEqual({ result: "ok" });
    expect((await post(status("running", "2021-04-28 21:45:00 +0200", 101))).json).toEqual({ result: "stale" });
    const list = await deployments();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: "success", finished_at: "2021-04-28T19:50:00.000Z" });
  });

  it.each([
    ["failed", "failure"],
    ["canceled", "aborted"],
  ])("maps status %s to %s", async (value, expected) => {
    await post(status(value, "2021-04-28 21:50:00 +0200", 102));
    expect((await deployments())[0].status).toBe(expected);
  });

  it("prefers the environment tier to a specific environment name", async () => {
    await post({ ...documented, environment: "production-eu-west", environment_tier: "production" });
    expect((await deployments())[0]).toMatchObject({ environment: "production" });
  });

  it("drops a redelivery with the same Idempotency-Key", async () => {
    const idempotencyKey = crypto.randomUUID();
    expect((await post(documented, { idempotencyKey })).json).toEqual({ result: "ok" });
    const again = await post(status("failed", "2021-04-28 22:00:00 +0200"), { idempotencyKey });
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ result: "duplicate" });
    expect((await deployments()).map((d) => d.status)).toEqual(["success"]);
  });

  it("acknowledges and ignores other hooks, after checking the token", async () => {
    const push = { object_kind: "push", ref: "refs/heads/main" };
    const res = await post(push);
    expect(res.status).toBe(202);
    expect(res.json.result).toBe("ignored");
    expect((await post(push, { token: "wrong-token" })).status).toBe(401);
    expect(await storedCount("deployments", integration.id)).toBe(0);
  });

  it("refuses with the same 401 a missing, wrong or another integration's token, and an unknown or revoked id", async () => {
    const other = await createIntegration("gitlab");
    const github = await createIntegration("github");
    const revoked = await createIntegration("gitlab");
    await callJson("DELETE", `/api/v1/integrations/${revoked.id}`, undefined, ADMIN);
    const invalid = { errors: [{ status: 401, title: "Unauthorized", detail: "invalid X-Gitlab-Token" }] };
    for (const options of [
      { token: "wrong-token" },
      { token: other.secret },
      { id: "00000000-0000-0000-0000-000000000000" },
      { id: "not-a-uuid" },
      { id: revoked.id, token: revoked.secret },
      { id: github.id, token: github.secret },
    ]) {
      const res = await post(documented, options);
      expect(res.status, JSON.stringify(options)).toBe(401);
      expect(res.json).toEqual(invalid);
    }
    const none = await post(documented, { token: null });
    expect(none.status).toBe(401);
    expect(none.json.errors[0].detail).toBe("missing X-Gitlab-Token header");
    expect(await storedCount("deployments", integration.id)).toBe(0);
  });

  it.each(["deployment_id", "status", "status_changed_at", "project"])("names the missing %s", async (field) => {
    const body: Record<string, unknown> = { ...documented };
    delete body[field];
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.detail)).toEqual([`param is missing or the value is empty: ${field}`]);
    expect(await storedCount("deployments", integration.id)).toBe(0);
  });

  it("names the missing project.path_with_namespace and an unreadable status_changed_at", async () => {
    const res = await post({ ...documented, project: { id: 30 }, status_changed_at: "yesterday" });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.detail).sort()).toEqual([
      "param is missing or the value is empty: project.path_with_namespace",
      'status_changed_at: is not a valid time: "yesterday"',
    ]);
  });

  it("says where the JSON is malformed", async () => {
    const res = await post('{"object_kind": "deployment",}');
    expect(res.status).toBe(400);
    expect(res.json.errors[0].detail).toMatch(/^malformed JSON: .*position 29/);
  });
});

describe("GitLab adapter (unit)", () => {
  const parse = (b: unknown) => normalizeGitLabDeployment(gitlabDeploymentSchema.parse(b), b);

  it("falls back to short_sha when commit_url has no sha, and ignores statuses it does not track", () => {
    expect(parse({ ...documented, commit_url: null })?.commits[0]?.sha).toBe("279484c0");
    expect(parse({ ...documented, status: "blocked" })).toBeNull();
  });

  it("keeps the environment name when the tier is other", () => {
    expect(parse({ ...documented, environment: "review/feature-x", environment_tier: "other" })?.environment).toBe("review/feature-x");
  });
});
