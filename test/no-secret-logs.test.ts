import { runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import documented from "./fixtures/generic/deployment.json";
import opslevelDeploy from "./fixtures/opslevel/deploy.json";
import { ADMIN, callJson, createIntegration, drain, env, integrationStub } from "./helpers";
import { hmacHex, postRaw } from "./signing";

/**
 * Everything the Worker wrote to the console (it runs in the tests' isolate). The Durable Object's
 * console is not captured here; its one log line carries only D1's error text.
 */
let logged: string[] = [];

beforeEach(() => {
  logged = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a) ?? String(a))).join(" "));
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("secrets never reach the logs", () => {
  it("logs no integration secret, signing key, read token or admin token, through creation, use, failures and rolls", async () => {
    const generic = await createIntegration("generic");
    const github = await createIntegration("github");
    const token = (await callJson("POST", "/api/v1/tokens", { name: "logs" }, ADMIN)).json.token as string;
    const rolled = (await callJson("POST", `/api/v1/integrations/${generic.id}/secret`, {}, ADMIN)).json.secret as string;
    const secrets = [generic.secret, github.secret, token, rolled, "test-admin-token"];

    // Accepted, refused and malformed requests carrying every credential.
    const auth = (s: string) => ({ authorization: `Bearer ${s}` });
    await callJson("POST", `/webhooks/generic/${generic.id}/deployments`, { ...documented, dedup_key: "logs-1" }, auth(rolled));
    await callJson("POST", `/webhooks/generic/${generic.id}/deployments`, "{not json", auth(generic.secret));
    await callJson("POST", `/webhooks/generic/${generic.id}/deployments`, { ...documented, dedup_key: "logs-2" }, auth(token));
    await callJson("POST", "/events", { events: [] }, { "x-api-key": generic.secret });
    await callJson("GET", "/api/v1/deployments?cursor=%%%", undefined, auth(token));
    const body = JSON.stringify({ action: "x" });
    await postRaw(`/webhooks/github/${github.id}`, body, { "x-hub-signature-256": `sha256=${await hmacHex(github.secret, body)}`, "x-github-event": "deployment_status" });

    // D1 failures are logged, by the Worker and by the object's drain: the capture sees the Worker's.
    const opslevel = await createIntegration("opslevel");
    await env.DB.exec("ALTER TABLE service_aliases RENAME TO service_aliases_logs");
    await env.DB.exec("ALTER TABLE deployments RENAME TO deployments_logs");
    try {
      await callJson("POST", `/integrations/deploy/${opslevel.id}`, { ...opslevelDeploy, dedup_id: "logs-3" }, auth(generic.secret));
      await runDurableObjectAlarm(integrationStub(generic.id));
    } finally {
      await env.DB.exec("ALTER TABLE service_aliases_logs RENAME TO service_aliases");
      await env.DB.exec("ALTER TABLE deployments_logs RENAME TO deployments");
    }
    await drain(generic.id);
    expect(logged.some((line) => line.includes("catalog lookup failed"))).toBe(true);

    const all = logged.join("\n");
    for (const s of secrets) expect(all).not.toContain(s);
  });
});
