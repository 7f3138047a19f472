import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app";
import { env } from "./helpers";

async function healthz(bindings: object): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request("https://receiver.test/healthz"), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("configuration", () => {
  it("refuses every request with a 503 naming a bad setting, logged once", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const misconfigured = { ...env, LINK_WINDOW_HOURS: "a week", RATE_LIMIT_BURST: "-5" };
      for (let i = 0; i < 2; i++) {
        const res = await healthz(misconfigured);
        expect(res.status).toBe(503);
        const detail = ((await res.json()) as any).errors[0].detail as string;
        expect(detail).toMatch(/LINK_WINDOW_HOURS must be a positive number of hours/);
        expect(detail).toMatch(/RATE_LIMIT_BURST must be a positive number/);
      }
      expect(error).toHaveBeenCalledTimes(1);
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/LINK_WINDOW_HOURS/));
    } finally {
      error.mockRestore();
    }
  });

  it("refuses every request with a 503 naming ADMIN_TOKEN when the secret is not set", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await healthz({ ...env, ADMIN_TOKEN: undefined });
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).errors[0].detail).toMatch(/ADMIN_TOKEN is not set/);
    } finally {
      error.mockRestore();
    }
  });

  it("serves with the defaults when the optional settings are empty", async () => {
    const res = await healthz({ ...env, LINK_WINDOW_HOURS: "", RATE_LIMIT_PER_SECOND: "", CORS_ORIGINS: "", RAW_RETENTION_DAYS: "" });
    expect(res.status).toBe(200);
  });
});
