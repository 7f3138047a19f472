import { describe, expect, it, vi } from "vitest";
import deployment from "./fixtures/generic/deployment.json";
import { callJson, createIntegration, drain, env } from "./helpers";
import { environmentAliases } from "../src/ingest/environment-aliases";
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

  it("refuses ingest with a 503 naming the setting when its value is malformed, and logs it once", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const malformed = { ENVIRONMENT_ALIASES: "prod-eu=production" };
      for (let i = 0; i < 2; i++) {
        let thrown: unknown;
        try {
          environmentAliases(malformed);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(ApiError);
        expect((thrown as ApiError).status).toBe(503);
        expect((thrown as ApiError).message).toMatch(/ENVIRONMENT_ALIASES: "prod-eu=production" is not name:target/);
      }
      expect(error).toHaveBeenCalledTimes(1);
      expect(environmentAliases({ ENVIRONMENT_ALIASES: "" })).toEqual({});
      expect(environmentAliases({})).toEqual({});
    } finally {
      error.mockRestore();
    }
  });
});
