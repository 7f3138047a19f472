import { beforeEach, describe, expect, it } from "vitest";
import documented from "./fixtures/github/deployment_status.json";
import ping from "./fixtures/github/ping.json";
import { githubDeploymentStatusSchema, normalizeGitHubDeploymentStatus } from "../src/vendors/github/deployment-status";
import { githubSignatures } from "../src/vendors/github/signature";
import { storedCount } from "./stored";
import { ADMIN, callJson, createIntegration, drain, putService, type CreatedIntegration } from "./helpers";
import { hmacHex, postRaw } from "./signing";

let integration: CreatedIntegration;

beforeEach(async () => {
  integration = await createIntegration("github");
});

interface Options {
  event?: string | null;
  secret?: string;
  delivery?: string;
  id?: string;
  signature?: string | null;
}

/** Posts as GitHub does: the body signed with the secret, the event and delivery in headers. */
async function post(body: unknown, o: Options = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "x-github-delivery": o.delivery ?? crypto.randomUUID() };
  const event = o.event === undefined ? "deployment_status" : o.event;
  if (event !== null) headers["x-github-event"] = event;
  const signature = o.signature === undefined ? `sha256=${await hmacHex(o.secret ?? integration.secret, text)}` : o.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  return postRaw(`/webhooks/github/${o.id ?? integration.id}`, text, headers);
}

/** The documented payload with another state, time and deployment id. */
function status(state: string, createdAt: string, deploymentId = documented.deployment.id) {
  return {
    ...documented,
    deployment_status: { ...documented.deployment_status, state, created_at: createdAt },
    deployment: { ...documented.deployment, id: deploymentId },
  };
}

async function deployments(id = integration.id) {
  await drain(id);
  return (await callJson("GET", `/api/v1/deployments?integration=${id}`, undefined, ADMIN)).json.items as any[];
}

describe("GitHub webhook", () => {
  it("answers ping with 200 once the signature is checked", async () => {
    const res = await post(ping, { event: "ping" });
    expect(res.status).toBe(200);
    expect((await post(ping, { event: "ping", secret: "wrong-secret-0000000" })).status).toBe(401);
  });

  it("records the documented deployment_status, mapping the repository through the catalog", async () => {
    await putService("hello-world", { name: "Hello World", repositories: ["https://github.com/Codertocat/Hello-World"] });
    const res = await post(documented);
    expect(res.status, res.text).toBe(202);
    expect(res.text).toBe('{"result":"ok"}');
    const [stored, ...rest] = await deployments();
    expect(rest).toEqual([]);
    expect(stored).toMatchObject({
      dedup_key: "326191728",
      service: "hello-world",
      service_name: "Codertocat/Hello-World",
      environment: "production",
      environment_raw: "production",
      status: "success",
      started_at: "2019-05-15T15:20:53.000Z",
      finished_at: "2019-05-15T15:20:55.000Z",
      deployer: { name: "Codertocat", email: null },
      commits: [{ sha: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", repository: "Codertocat/Hello-World", branch: "master", message: null }],
    });
  });

  it("moves one deployment through queued, in_progress and success", async () => {
    const seen: string[] = [];
    for (const [state, at] of [
      ["queued", "2019-05-15T15:20:54Z"],
      ["in_progress", "2019-05-15T15:21:00Z"],
      ["success", "2019-05-15T15:25:00Z"],
    ] as const) {
      expect((await post(status(state, at, 1001))).json).toEqual({ result: "ok" });
      const [d] = await deployments();
      seen.push(d.status);
    }
    expect(seen).toEqual(["pending", "in_progress", "success"]);
    expect(await storedCount("deployments", integration.id)).toBe(1);
  });

  it.each([
    ["error", "failure"],
    ["failure", "failure"],
    ["pending", "pending"],
  ])("maps state %s to %s", async (state, expected) => {
    await post(status(state, "2019-05-15T15:25:00Z", 1002));
    expect((await deployments())[0].status).toBe(expected);
  });

  it("never moves a deployment backwards: late in_progress is stale, inactive is ignored", async () => {
    expect((await post(status("success", "2019-05-15T15:25:00Z", 1003))).json).toEqual({ result: "ok" });
    expect((await post(status("in_progress", "2019-05-15T15:21:00Z", 1003))).json).toEqual({ result: "stale" });
    const inactive = await post(status("inactive", "2019-05-16T09:00:00Z", 1003));
    expect(inactive.status).toBe(202);
    expect(inactive.json.result).toBe("ignored");
    const [d] = await deployments();
    expect(d).toMatchObject({ status: "success", finished_at: "2019-05-15T15:25:00.000Z" });
  });

  it("does not let a late pending replace in_progress", async () => {
    await post(status("in_progress", "2019-05-15T15:21:00Z", 1004));
    expect((await post(status("pending", "2019-05-15T15:20:54Z", 1004))).json).toEqual({ result: "stale" });
    expect((await deployments())[0].status).toBe("in_progress");
  });

  it("drops a redelivery with the same X-GitHub-Delivery", async () => {
    const delivery = crypto.randomUUID();
    expect((await post(documented, { delivery })).json).toEqual({ result: "ok" });
    const again = await post(status("failure", "2019-05-15T15:30:00Z"), { delivery });
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ result: "duplicate" });
    const list = await deployments();
    expect(list).toHaveLength(1);
    expect(list[0].status).toBe("success");
  });

  it("acknowledges and ignores other events", async () => {
    const res = await post({ ref: "refs/heads/main" }, { event: "push" });
    expect(res.status).toBe(202);
    expect(res.json.result).toBe("ignored");
    expect(await storedCount("deployments", integration.id)).toBe(0);
  });

  it("refuses with the same 401 a missing, wrong or another integration's signature, an unknown, revoked or other-vendor id", async () => {
    const other = await createIntegration("github");
    const gitlab = await createIntegration("gitlab");
    const revoked = await createIntegration("github");
    await callJson("DELETE", `/api/v1/integrations/${revoked.id}`, undefined, ADMIN);
    const mismatch = { errors: [{ status: 401, title: "Unauthorized", detail: "X-Hub-Signature-256 does not match this request" }] };
    const cases: [Options, unknown][] = [
      [{ secret: "not-the-secret-at-all" }, mismatch],
      [{ secret: other.secret }, mismatch],
      [{ id: "00000000-0000-0000-0000-000000000000" }, mismatch],
      [{ id: "not-a-uuid" }, mismatch],
      [{ id: revoked.id, secret: revoked.secret }, mismatch],
      [{ id: gitlab.id, secret: gitlab.secret }, mismatch],
    ];
    for (const [options, body] of cases) {
      const res = await post(documented, options);
      expect(res.status, JSON.stringify(options)).toBe(401);
      expect(res.json).toEqual(body);
    }
    for (const signature of [null, "sha1=abc", "sha256=zz"]) {
      const res = await post(documented, { signature });
      expect(res.status).toBe(401);
      expect(res.json.errors[0].detail).toMatch(/^missing or malformed X-Hub-Signature-256/);
    }
    expect(await storedCount("deployments", integration.id)).toBe(0);
  });

  it("refuses a body that is not the one signed", async () => {
    const signature = `sha256=${await hmacHex(integration.secret, JSON.stringify(documented))}`;
    const res = await post(status("failure", "2019-05-15T15:30:00Z"), { signature });
    expect(res.status).toBe(401);
  });

  it.each([
    ["deployment.id", (b: any) => delete b.deployment.id],
    ["deployment.sha", (b: any) => delete b.deployment.sha],
    ["repository.full_name", (b: any) => delete b.repository.full_name],
    ["deployment_status.state", (b: any) => delete b.deployment_status.state],
    ["deployment_status.created_at", (b: any) => delete b.deployment_status.created_at],
    ["deployment", (b: any) => delete b.deployment],
  ])("names the missing %s", async (field, remove) => {
    const body = structuredClone(documented);
    remove(body);
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.detail)).toEqual([`param is missing or the value is empty: ${field}`]);
    expect(await storedCount("deployments", integration.id)).toBe(0);
  });

  it("says where a signed body is malformed JSON, and needs X-GitHub-Event", async () => {
    const res = await post('{"deployment": {', {});
    expect(res.status).toBe(400);
    expect(res.json.errors[0].detail).toMatch(/^malformed JSON: .*position/);
    const noEvent = await post(documented, { event: null });
    expect(noEvent.status).toBe(400);
    expect(noEvent.json.errors[0].detail).toBe("missing X-GitHub-Event header");
  });
});

describe("GitHub adapter (unit)", () => {
  const parse = (b: unknown) => normalizeGitHubDeploymentStatus(githubDeploymentStatusSchema.parse(b), b);

  it("maps every state and returns null for inactive", () => {
    const states = ["error", "failure", "inactive", "pending", "success", "queued", "in_progress"];
    expect(states.map((s) => parse(status(s, "2019-05-15T15:25:00Z"))?.status ?? null)).toEqual([
      "failure",
      "failure",
      null,
      "pending",
      "success",
      "pending",
      "in_progress",
    ]);
  });

  it("dates in_progress by the status and pending by the deployment", () => {
    expect(parse(status("in_progress", "2019-05-15T15:21:00Z"))).toMatchObject({ started_at: "2019-05-15T15:21:00.000Z", finished_at: null });
    expect(parse(status("pending", "2019-05-15T15:21:00Z"))).toMatchObject({ started_at: "2019-05-15T15:20:53.000Z", finished_at: null });
  });

  it("reads the signature header", () => {
    expect(githubSignatures(`sha256=${"a".repeat(64)}`)).toEqual(["a".repeat(64)]);
    expect(githubSignatures("sha1=abcd")).toEqual([]);
    expect(githubSignatures(null)).toEqual([]);
  });
});
