import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app";
import deployment from "./fixtures/generic/deployment.json";
import { callJson, createIntegration, drain, env } from "./helpers";
import { configOf } from "../src/config";
import { ApiError } from "../src/http/errors";

// vitest.config.ts binds ENVIRONMENT_ALIASES=prod-eu:production,prod-us:production.
describe("ENVIRONMENT_ALIASES on ingest", () => {
  it("stores an aliased environment under its target, keeping the name as sent", async () => {
    const integration = await createIntegration("generic");
    const post = (dedup_key: string, environment: string) =>
      callJson("POST", `/webhooks/generic/${integration.id}/deployments`, { ...deployment, dedup_key, environment }, { authorization: `Bearer ${integration.secret}` });
    for (const [key, environment] of [["eu", "prod-eu"], ["us", " Prod-US "], ["ap", "prod-ap"], ["plain", "prod"]]) {
      expect((await post(key!, environment!)).status).toBe(202);
    }
    await drain(integration.id);
    const { results } = await env.DB.prepare("SELECT dedup_key, environment, environment_raw FROM deployments WHERE integration_id = ? ORDER BY seq").bind(integration.id).all();
    expect(results).toEqual([
      { dedup_key: "eu", environment: "production", environment_raw: "prod-eu" },
      { dedup_key: "us", environment: "production", environment_raw: " Prod-US " },
      { dedup_key: "ap", environment: "prod-ap", environment_raw: "prod-ap" },
      { dedup_key: "plain", environment: "production", environment_raw: "prod" },
    ]);
  });

  it("answers a vendor route 503 naming the setting, storing nothing, while the value is malformed", async () => {
    const integration = await createIntegration("generic");
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const ctx = createExecutionContext();
      const request = new Request(`https://receiver.test/webhooks/generic/${integration.id}/deployments`, {
        method: "POST",
        headers: { authorization: `Bearer ${integration.secret}`, "content-type": "application/json" },
        body: JSON.stringify({ ...deployment, dedup_key: "misconfigured", environment: "prod-eu" }),
      });
      const res = await createApp().fetch(request, { ...env, ENVIRONMENT_ALIASES: "prod-eu:production,prod-us" }, ctx);
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).errors[0].detail).toMatch(/ENVIRONMENT_ALIASES: "prod-us" is not name:target/);
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/ENVIRONMENT_ALIASES/));
    } finally {
      error.mockRestore();
    }
    await drain(integration.id);
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM deployments WHERE integration_id = ?").bind(integration.id).first<{ n: number }>())!;
    expect(n).toBe(0);
  });

  it("refuses ingest with a 503 naming the setting when its value is malformed, and logs it once", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const malformed = { ADMIN_TOKEN: "t", ENVIRONMENT_ALIASES: "prod-eu=production" };
      for (let i = 0; i < 2; i++) {
        let thrown: unknown;
        try {
          configOf(malformed);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(ApiError);
        expect((thrown as ApiError).status).toBe(503);
        expect((thrown as ApiError).message).toMatch(/ENVIRONMENT_ALIASES: "prod-eu=production" is not name:target/);
      }
      expect(error).toHaveBeenCalledTimes(1);
      expect(configOf({ ADMIN_TOKEN: "t", ENVIRONMENT_ALIASES: "" }).environmentAliases).toEqual({});
      expect(configOf({ ADMIN_TOKEN: "t" }).environmentAliases).toEqual({});
    } finally {
      error.mockRestore();
    }
  });
});
