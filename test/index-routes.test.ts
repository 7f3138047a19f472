import { describe, expect, it } from "vitest";
import pkg from "../package.json";
import { callJson, call } from "./helpers";

describe("GET /api/v1", () => {
  it("answers the name, version, and where the reference, dashboard and docs are, without a token", async () => {
    const res = await callJson("GET", "/api/v1");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: pkg.name,
      version: pkg.version,
      links: { openapi: "/openapi.json", reference: "/docs", dashboard: "/" },
      docs: { readme: "README.md", api: "docs/api.md", metrics: "docs/metrics.md", grafana: "docs/grafana.md" },
    });
    expect(res.json.routes, "the OpenAPI document lists the routes").toBeUndefined();
  });

  it("links only pages the Worker serves", async () => {
    const { links } = (await callJson("GET", "/api/v1")).json as { links: Record<string, string> };
    for (const [name, path] of Object.entries(links)) {
      const res = await call("GET", path);
      expect(res.status, `${name}: ${path}`).toBe(200);
      await res.body?.cancel();
    }
  });
});
