import { describe, expect, it } from "vitest";
import pkg from "../package.json";
import { ADMIN, callJson } from "./helpers";

describe("GET /api/v1", () => {
  it("answers /api/v1 with the name, version, docs and routes, without a token", async () => {
    const res = await callJson("GET", "/api/v1");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: pkg.name, version: pkg.version, docs: { readme: "README.md", metrics: "docs/metrics.md" } });
    expect(res.json.routes.read).toContain("GET /api/v1/metrics");
  });

  it("lists only routes that exist", async () => {
    const { routes } = (await callJson("GET", "/api/v1")).json as { routes: Record<string, string[]> };
    for (const route of Object.values(routes).flat()) {
      const [methods, path] = route.split(" ") as [string, string];
      const concrete = path.replace(/:[a-zA-Z]+/g, "x");
      for (const method of methods.split("|")) {
        const res = await callJson(method, concrete, method === "GET" ? undefined : {}, ADMIN);
        expect(res.json?.errors?.[0]?.detail ?? "", route).not.toMatch(/^no route/);
      }
    }
  });
});
