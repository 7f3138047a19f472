import { describe, expect, it } from "vitest";
import curlExample from "./fixtures/harness-sei/curl-example.txt?raw";
import examplePayload from "./fixtures/harness-sei/example-payload.txt?raw";
import requestBodyData from "./fixtures/harness-sei/request-body-data.json";
import { ADMIN, call, callJson, countRows, createIntegration, drain, env, putService, type CreatedIntegration } from "./helpers";
import { normalizeSeiCustomCicd, seiCustomCicdSchema } from "../src/vendors/harness-sei/custom-cicd";
import { storedRaw } from "./stored";

/** Each documented example misses one comma; these are the vendor's bodies with it put back. */
const correctedPayload = JSON.parse(examplePayload.replace('"cfr_status": true\n', '"cfr_status": true,\n'));
const correctedCurl = JSON.parse(curlExample.replace('"branch_name": "main"\n', '"branch_name": "main",\n'));

const bearer = (i: CreatedIntegration) => ({ authorization: `Bearer ${i.secret}` });
const PATH = "/v1/custom-cicd";
let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now()}-${++counter}`;

async function rowsOf(table: "ci_runs" | "deployments", id: string) {
  const { results } = await env.DB.prepare(`SELECT * FROM ${table} WHERE integration_id = ? ORDER BY seq`).bind(id).all<any>();
  return results;
}

async function commitsOfRun(runId: string) {
  const { results } = await env.DB.prepare("SELECT sha FROM ci_run_commits WHERE ci_run_id = ?").bind(runId).all<{ sha: string }>();
  return results.map((r) => r.sha);
}

describe("Harness SEI adapter", () => {
  it("reads cd as a deployment ending at start + duration, ci (or neither flag) as a CI run, both as both", () => {
    const kinds = (flags: object) => normalizeSeiCustomCicd(seiCustomCicdSchema.parse({ ...correctedPayload, ...flags }), {}).map((e) => e.type);
    expect(kinds({ ci: false, cd: true })).toEqual(["deployment"]);
    expect(kinds({ ci: true, cd: false })).toEqual(["ci_run"]);
    expect(kinds({ ci: undefined, cd: undefined })).toEqual(["ci_run"]);
    expect(kinds({ ci: true, cd: true })).toEqual(["deployment", "ci_run"]);
    const [deploy] = normalizeSeiCustomCicd(seiCustomCicdSchema.parse({ ...correctedPayload, ci: false, cd: true }), {});
    expect(deploy).toMatchObject({ started_at: "2024-03-28T05:25:45.000Z", finished_at: "2024-03-28T05:38:45.000Z" });
  });

  it("maps results case-insensitively and dedups by execution_id, else instance, job and build number", () => {
    const parse = (extra: object) => normalizeSeiCustomCicd(seiCustomCicdSchema.parse({ ...correctedPayload, ...extra }), {})[0]!;
    expect(["SUCCESS", "failed", "FAILURE", "ABORTED", "unstable"].map((result) => parse({ result }).status)).toEqual(["success", "failure", "failure", "aborted", "failure"]);
    expect(parse({}).dedup_key).toBe("UNIQUE_EXECUTION_ID");
    expect(parse({ execution_id: null, build_number: 12 }).dedup_key).toBe('["666ba79b-3f3d-4236-ac04-4686ce526705","Pipeline-2","12"]');
    expect(parse({ execution_id: null }).dedup_key).toBeNull();
  });
});

describe("Harness SEI custom CI/CD webhook", () => {
  it.each([
    ["example payload", examplePayload, /\(line 52 column 5\)$/],
    ["curl example", curlExample, /\(line 15 column 5\)$/],
  ])("answers the documented %s, which misses a comma, with a 400 that says where", async (_name, body, where) => {
    const integration = await createIntegration("harness-sei");
    const res = await callJson("POST", PATH, body, bearer(integration));
    expect(res.status).toBe(400);
    expect(res.json.errors[0].detail).toMatch(/^malformed JSON: Expected ',' or '}' after property value in JSON at position \d+/);
    expect(res.json.errors[0].detail).toMatch(where);
    await drain(integration.id);
    expect(await countRows("ci_runs", integration.id)).toBe(0);
  });

  it("stores the corrected example payload as a CI run with its commits", async () => {
    const integration = await createIntegration("harness-sei", { service: unique("sei") });
    const res = await callJson("POST", PATH, correctedPayload, bearer(integration));
    expect(res.status, res.text).toBe(202);
    expect(res.json).toEqual({ result: "ok", id: expect.any(String) });
    await drain(integration.id);
    const [run, ...rest] = await rowsOf("ci_runs", integration.id);
    expect(rest).toHaveLength(0);
    expect(run).toMatchObject({
      id: res.json.id,
      dedup_key: "UNIQUE_EXECUTION_ID",
      status: "success",
      started_at: "2024-03-28T05:25:45.000Z",
      finished_at: "2024-03-28T05:38:45.000Z",
    });
    expect(await storedRaw(run.id)).toEqual(correctedPayload);
    expect(await commitsOfRun(run.id)).toEqual(["64be72b2c1f7d2a33082f98a40a848880fcdcd5e"]);
    expect(await countRows("deployments", integration.id)).toBe(0);
  });

  it("stores the corrected curl example, in its Jenkins-plugin field names, as a failed CI run", async () => {
    const integration = await createIntegration("harness-sei");
    const res = await callJson("POST", PATH, correctedCurl, bearer(integration));
    expect(res.status, res.text).toBe(202);
    await drain(integration.id);
    expect(await rowsOf("ci_runs", integration.id)).toMatchObject([
      { dedup_key: '["c9a73c1b-7590-4ac6-a82f-c53a469686b7","Agile_proj/pipelines-javascript-docker","7871"]', status: "failure", started_at: "2023-05-24T07:15:20.000Z", finished_at: "2023-05-24T07:15:20.005Z" },
    ]);
  });

  it("stores the request-body example of the spec", async () => {
    const integration = await createIntegration("harness-sei");
    const res = await callJson("POST", PATH, requestBodyData, bearer(integration));
    expect(res.status, res.text).toBe(202);
    await drain(integration.id);
    expect(await rowsOf("ci_runs", integration.id)).toMatchObject([{ status: "success", started_at: "2023-03-22T06:44:54.000Z", finished_at: "2023-03-22T06:46:11.000Z" }]);
  });

  it("stores cd: true as a deployment finishing at start_time + duration, with its service from the catalog", async () => {
    const slug = unique("pipeline-svc");
    await putService(slug, { name: "Pipeline service", aliases: [`${slug}-pipeline`] });
    const integration = await createIntegration("harness-sei");
    const body = { ...correctedPayload, execution_id: unique("exec"), ci: false, cd: true, project_name: null, pipeline: `${slug}-pipeline` };
    const res = await callJson("POST", PATH, body, bearer(integration));
    expect(res.status, res.text).toBe(202);
    await drain(integration.id);
    const list = await callJson("GET", `/api/v1/deployments?integration=${integration.id}`, undefined, ADMIN);
    expect(list.json.items).toMatchObject([
      {
        id: res.json.id,
        service: slug,
        environment: "production",
        status: "success",
        started_at: "2024-03-28T05:25:45.000Z",
        finished_at: "2024-03-28T05:38:45.000Z",
        commits: [{ sha: "64be72b2c1f7d2a33082f98a40a848880fcdcd5e", repository: "https://api.github.com/users/nishith.patel", branch: "master" }],
      },
    ]);
    expect(await countRows("ci_runs", integration.id)).toBe(0);
  });

  it("drops a redelivered run and says so", async () => {
    const integration = await createIntegration("harness-sei");
    const first = await callJson("POST", PATH, correctedPayload, bearer(integration));
    const again = await callJson("POST", PATH, correctedPayload, bearer(integration));
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ result: "ok", id: first.json.id });
    const { execution_id: _e, ...byBuild } = { ...correctedPayload, build_number: 99 };
    await callJson("POST", PATH, byBuild, bearer(integration));
    await callJson("POST", PATH, byBuild, bearer(integration));
    const { execution_id: _x, ...noKey } = correctedPayload;
    await callJson("POST", PATH, noKey, bearer(integration));
    await callJson("POST", PATH, noKey, bearer(integration));
    await drain(integration.id);
    expect(await countRows("ci_runs", integration.id)).toBe(4);
  });

  it("answers every credential failure with the same 401 and stores nothing", async () => {
    const integration = await createIntegration("harness-sei");
    const devgrid = await createIntegration("devgrid");
    const deleted = await createIntegration("harness-sei");
    expect((await callJson("DELETE", `/api/v1/integrations/${deleted.id}`, undefined, ADMIN)).status).toBe(204);
    const bodies = new Set<string>();
    const cases: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, { authorization: `Basic ${btoa(`u:${integration.secret}`)}` }, { "x-api-key": integration.secret }, bearer(devgrid), bearer(deleted)];
    for (const headers of cases) {
      const res = await call("POST", PATH, JSON.stringify(correctedPayload), headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("ApiKey, Bearer");
      bodies.add(await res.text());
    }
    expect(bodies.size).toBe(1);
    await drain(integration.id);
    expect(await countRows("ci_runs", integration.id)).toBe(0);
  });

  it("accepts the key in the ApiKey scheme, in any case, and in the Bearer scheme; a wrong key in each is the same 401", async () => {
    const integration = await createIntegration("harness-sei");
    const schemes = ["ApiKey", "Apikey", "apikey", "APIKEY", "Bearer", "bearer"];
    for (const scheme of schemes) {
      const ok = await callJson("POST", PATH, { ...correctedPayload, execution_id: unique(scheme) }, { authorization: `${scheme} ${integration.secret}` });
      expect(ok.status, `${scheme}: ${ok.text}`).toBe(202);
    }
    const refusals = new Set<string>();
    for (const scheme of schemes) {
      const res = await call("POST", PATH, JSON.stringify({ ...correctedPayload, execution_id: unique(scheme) }), { authorization: `${scheme} wrong-${integration.secret}` });
      expect(res.status, scheme).toBe(401);
      refusals.add(await res.text());
    }
    for (const header of [`ApiKey${integration.secret}`, `Api-Key ${integration.secret}`, `Token ${integration.secret}`, `ApiKey ${integration.secret} extra`]) {
      const res = await call("POST", PATH, JSON.stringify({ ...correctedPayload, execution_id: unique("odd") }), { authorization: header });
      expect(res.status, header).toBe(401);
      refusals.add(await res.text());
    }
    expect(refusals.size).toBe(1);
    await drain(integration.id);
    expect(await countRows("ci_runs", integration.id)).toBe(schemes.length);
  });

  it.each(["pipeline", "job_full_name", "qualified_name", "instance_name", "instance_guid", "start_time", "duration", "result"])(
    "answers 400 naming %s when it is missing",
    async (field) => {
      const integration = await createIntegration("harness-sei");
      const body: Record<string, unknown> = { ...correctedPayload };
      delete body[field];
      const res = await callJson("POST", PATH, body, bearer(integration));
      expect(res.status).toBe(400);
      expect(res.json.errors.map((e: any) => e.detail)).toEqual([`param is missing or the value is empty: ${field}`]);
      await drain(integration.id);
      expect(await countRows("ci_runs", integration.id)).toBe(0);
    },
  );

  it("refuses a time that is not epoch milliseconds and an unknown result", async () => {
    const integration = await createIntegration("harness-sei");
    const badTime = await callJson("POST", PATH, { ...correctedPayload, start_time: "2024-03-28" }, bearer(integration));
    expect(badTime.status).toBe(400);
    expect(badTime.json.errors[0].detail).toMatch(/^start_time: /);
    const tooLate = await callJson("POST", PATH, { ...correctedPayload, start_time: 253402300000000, duration: 1e12 }, bearer(integration));
    expect(tooLate.json.errors[0].detail).toBe("duration: start_time + duration is past year 9999");
    const badResult = await callJson("POST", PATH, { ...correctedPayload, result: "maybe" }, bearer(integration));
    expect(badResult.json.errors[0].detail).toBe('result: is not a known job result: "maybe"');
  });
});
