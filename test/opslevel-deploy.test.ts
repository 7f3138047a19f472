import { evictDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import documented from "./fixtures/opslevel/deploy.json";
import { ADMIN, callJson, countRows, createIntegration, drain, env, integrationStub, putService, type CreatedIntegration } from "./helpers";

let integration: CreatedIntegration;
const deployPath = () => `/integrations/deploy/${integration.id}`;

beforeEach(async () => {
  integration = await createIntegration("opslevel");
});

describe("OpsLevel deploy webhook", () => {
  it("records the documented deploy: no_service_found, then duplicate_deploy, then ok once the service is catalogued", async () => {
    const first = await callJson("POST", deployPath(), documented);
    expect(first.status, first.text).toBe(202);
    expect(first.json).toEqual({
      result: "no_service_found",
      message: "No service found matching alias 'shopping_cart'. Recording 'shopping_cart' as a suggestion.",
    });

    const again = await callJson("POST", deployPath(), documented);
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ result: "duplicate_deploy", message: "Deploy not created due to existing deploy with identical dedup_id" });

    // Written to D1 before the catalog knows the name, the first deploy keeps it as given.
    await drain(integration.id);
    await putService("cart", { name: "Shopping cart", aliases: ["Shopping_Cart"] });
    const known = await callJson("POST", deployPath(), { ...documented, dedup_id: "another-deploy" });
    expect(known.status).toBe(202);
    expect(known.json).toEqual({ result: "ok" });

    await drain(integration.id);
    const list = await callJson("GET", `/api/v1/deployments?integration=${integration.id}`, undefined, ADMIN);
    expect(list.status).toBe(200);
    expect(list.json.items).toHaveLength(2);
    const stored = list.json.items.find((d: any) => d.dedup_key === documented.dedup_id);
    expect(stored).toMatchObject({
      integration_id: integration.id,
      seq: 1,
      service: "shopping_cart",
      service_name: "shopping_cart",
      environment: "production",
      environment_raw: "Production",
      status: "success",
      finished_at: "2019-02-01T13:28:33.000Z",
      deploy_number: "234",
      url: "https://heroku.deploys.com",
      description: "Deployed by CI Pipeline: Deploy #234",
      deployer: { name: "Michael Scott", email: "[email protected]" },
      commits: [
        {
          sha: "38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5",
          branch: "master",
          message: "Merge branch 'fix-tax-rate' into 'master'",
          committed_at: "2019-02-01T09:23:43.000Z",
          authored_at: "2019-02-01T09:23:43.000Z",
        },
      ],
    });
    // Deployed after the catalog entry existed, the second one resolves to the slug.
    expect(list.json.items.find((d: any) => d.dedup_key === "another-deploy")).toMatchObject({ service: "cart", seq: 2 });

    const detail = await callJson("GET", `/api/v1/deployments/${stored.id}`, undefined, ADMIN);
    expect(detail.json.raw).toEqual(documented);

    const suggestions = await callJson("GET", "/api/v1/suggestions", undefined, ADMIN);
    // The catalog now knows shopping_cart as an alias of cart, so it is no longer suggested.
    expect(suggestions.json.items.map((s: any) => s.name)).not.toContain("shopping_cart");
  });

  it("stores a deploy of a catalogued alias under the slug and suggests nothing for it", async () => {
    await putService("ledger", { name: "Ledger", aliases: ["General_Ledger"] });
    await callJson("POST", deployPath(), { ...documented, dedup_id: "ledger-1", service: "GENERAL_LEDGER" });
    await drain(integration.id);
    const row = await env.DB.prepare("SELECT service, service_name FROM deployments WHERE integration_id = ?").bind(integration.id).first();
    expect(row).toEqual({ service: "ledger", service_name: "GENERAL_LEDGER" });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM service_suggestions WHERE name = 'GENERAL_LEDGER'").first("n")).toBe(0);
  });

  it("lists an unknown service as a suggestion with its count", async () => {
    await callJson("POST", deployPath(), { ...documented, dedup_id: "a", service: "billing" });
    await callJson("POST", deployPath(), { ...documented, dedup_id: "b", service: "billing" });
    await callJson("POST", deployPath(), { ...documented, dedup_id: "c", service: "BILLING" });
    await drain(integration.id);
    const suggestions = await callJson("GET", "/api/v1/suggestions", undefined, ADMIN);
    // Each name as it was sent, counted apart from its other spellings.
    expect(suggestions.json.items.find((s: any) => s.name === "billing")).toMatchObject({ kind: "name", count: 2 });
    expect(suggestions.json.items.find((s: any) => s.name === "BILLING")).toMatchObject({ kind: "name", count: 1 });
  });

  it("generates deploy_number per service when absent, after the highest number seen", async () => {
    const { deploy_number: _n, ...withoutNumber } = documented;
    await callJson("POST", deployPath(), { ...withoutNumber, dedup_id: "n1" });
    await callJson("POST", deployPath(), { ...documented, dedup_id: "n2", deploy_number: "40" });
    // A lower number, or one that is not an integer, is kept as given and moves nothing.
    await callJson("POST", deployPath(), { ...documented, dedup_id: "low", deploy_number: "7" });
    await callJson("POST", deployPath(), { ...documented, dedup_id: "text", deploy_number: "v99" });
    await callJson("POST", deployPath(), { ...withoutNumber, dedup_id: "n3" });
    await callJson("POST", deployPath(), { ...withoutNumber, dedup_id: "n4", service: "other" });
    await drain(integration.id);
    const list = await callJson("GET", `/api/v1/deployments?integration=${integration.id}&limit=10`, undefined, ADMIN);
    const numbers = Object.fromEntries(list.json.items.map((d: any) => [d.dedup_key, d.deploy_number]));
    expect(numbers).toEqual({ n1: "1", n2: "40", low: "7", text: "v99", n3: "41", n4: "1" });
  });

  it("gives a redelivery no deploy_number, and keeps counting after the object restarts", async () => {
    const { deploy_number: _n, ...withoutNumber } = documented;
    await callJson("POST", deployPath(), { ...withoutNumber, dedup_id: "r1" });
    expect((await callJson("POST", deployPath(), { ...withoutNumber, dedup_id: "r1" })).json.result).toBe("duplicate_deploy");
    await callJson("POST", deployPath(), { ...withoutNumber, dedup_id: "r2" });
    await evictDurableObject(integrationStub(integration.id));
    await callJson("POST", deployPath(), { ...withoutNumber, dedup_id: "r3" });
    await drain(integration.id);
    const list = await callJson("GET", `/api/v1/deployments?integration=${integration.id}&limit=10`, undefined, ADMIN);
    expect(Object.fromEntries(list.json.items.map((d: any) => [d.dedup_key, d.deploy_number]))).toEqual({ r1: "1", r2: "2", r3: "3" });
  });

  it("treats every post without a dedup_id as a new deploy", async () => {
    const { dedup_id: _d, ...withoutDedup } = documented;
    for (let i = 0; i < 3; i++) expect((await callJson("POST", deployPath(), withoutDedup)).status).toBe(202);
    await drain(integration.id);
    expect(await countRows("deployments", integration.id)).toBe(3);
  });

  it("accepts ISO 8601 deployed_at with a zone and converts it to UTC", async () => {
    await callJson("POST", deployPath(), { ...documented, deployed_at: "2019-02-01T15:28:33+02:00" });
    await drain(integration.id);
    const list = await callJson("GET", `/api/v1/deployments?integration=${integration.id}`, undefined, ADMIN);
    expect(list.json.items[0].finished_at).toBe("2019-02-01T13:28:33.000Z");
  });

  it("accepts a deployer with only a name or only an email", async () => {
    expect((await callJson("POST", deployPath(), { ...documented, dedup_id: "x1", deployer: { name: "Pam" } })).status).toBe(202);
    expect((await callJson("POST", deployPath(), { ...documented, dedup_id: "x2", deployer: { email: "pam@example.com" } })).status).toBe(202);
  });

  it.each([
    ["deployed_at", "Deployed at Error", "param is missing or the value is empty: deployed_at"],
    ["description", "Description Error", "param is missing or the value is empty: description"],
    ["service", "Service Error", "param is missing or the value is empty: service"],
  ])("answers the documented error when %s is missing", async (field, title, detail) => {
    const body: Record<string, unknown> = { ...documented };
    delete body[field];
    const res = await callJson("POST", deployPath(), body);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ errors: [{ status: 400, title, detail }] });
    await drain(integration.id);
    expect(await countRows("deployments", integration.id)).toBe(0);
  });

  it("treats an empty required value as missing", async () => {
    const res = await callJson("POST", deployPath(), { ...documented, description: "  " });
    expect(res.json).toEqual({ errors: [{ status: 400, title: "Description Error", detail: "param is missing or the value is empty: description" }] });
  });

  it("refuses a deployer with neither email nor name, blank ones included, and stores nothing", async () => {
    for (const deployer of [{ id: "42" }, {}, { email: " ", name: "" }]) {
      const res = await callJson("POST", deployPath(), { ...documented, dedup_id: null, deployer });
      expect(res.status, JSON.stringify(deployer)).toBe(400);
      expect(res.json.errors[0].detail).toBe("deployer: needs an email or a name");
    }
    await drain(integration.id);
    expect(await countRows("deployments", integration.id)).toBe(0);
  });

  it("stores a deploy without a deployer, as OpsLevel's Jenkins plugin sends it by default", async () => {
    // The plugin's default payload: no deployer, an ISO instant, the Jenkins build number and URL.
    const jenkins = {
      dedup_id: "2f0d7c8e-jenkins",
      deploy_number: "57",
      deploy_url: "https://jenkins.example.com/job/shop/57/",
      deployed_at: "2026-03-02T10:11:12.345Z",
      description: "Fix tax rate",
      environment: "Production",
      service: "jenkins:shop",
      commit: { sha: "38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5", branch: "origin/main", message: "Fix tax rate" },
    };
    const res = await callJson("POST", deployPath(), jenkins);
    expect(res.status, res.text).toBe(202);
    const nulled = await callJson("POST", deployPath(), { ...jenkins, dedup_id: "null-deployer", deployer: null });
    expect(nulled.status, nulled.text).toBe(202);
    await drain(integration.id);
    const { results } = await env.DB.prepare("SELECT deployer_name, deployer_email, deploy_number, finished_at FROM deployments WHERE integration_id = ? ORDER BY seq")
      .bind(integration.id)
      .all();
    expect(results).toEqual([
      { deployer_name: null, deployer_email: null, deploy_number: "57", finished_at: "2026-03-02T10:11:12.345Z" },
      { deployer_name: null, deployer_email: null, deploy_number: "57", finished_at: "2026-03-02T10:11:12.345Z" },
    ]);
  });

  it("reads what OpsLevel's CLI sends: nanosecond times with offsets, and an empty commit outside a git checkout", async () => {
    const cli = {
      service: "shop",
      deployer: { email: "automation@opslevel.com" },
      deployed_at: "2026-03-02T10:11:12.123456789Z",
      description: "Event Created by OpsLevel CLI",
      environment: "production",
      commit: {},
    };
    expect((await callJson("POST", deployPath(), cli)).status).toBe(202);
    const withGit = {
      ...cli,
      dedup_id: "cli-git",
      commit: { sha: "38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5", message: "Fix tax rate\n", date: "2026-03-02T11:00:00.5+01:00", authoring_date: "2026-03-01T23:00:00-05:00" },
    };
    expect((await callJson("POST", deployPath(), withGit)).status).toBe(202);
    await drain(integration.id);
    const { results } = await env.DB.prepare(
      "SELECT d.finished_at, c.sha, c.committed_at, c.authored_at FROM deployments d LEFT JOIN deployment_commits c ON c.deployment_id = d.id WHERE d.integration_id = ? ORDER BY d.seq",
    )
      .bind(integration.id)
      .all();
    expect(results).toEqual([
      { finished_at: "2026-03-02T10:11:12.123Z", sha: null, committed_at: null, authored_at: null },
      { finished_at: "2026-03-02T10:11:12.123Z", sha: "38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5", committed_at: "2026-03-02T10:00:00.500Z", authored_at: "2026-03-02T04:00:00.000Z" },
    ]);
  });

  it("answers 404 for an unknown or malformed integration id", async () => {
    for (const id of ["00000000-0000-0000-0000-000000000000", "not-an-id"]) {
      const res = await callJson("POST", `/integrations/deploy/${id}`, documented);
      expect(res.status).toBe(404);
      expect(res.json.errors[0]).toMatchObject({ status: 404, title: "Not Found" });
    }
  });

  it("stops accepting deploys as soon as the integration is deleted", async () => {
    expect((await callJson("DELETE", `/api/v1/integrations/${integration.id}`, undefined, ADMIN)).status).toBe(204);
    expect((await callJson("POST", deployPath(), documented)).status).toBe(404);
  });
});
