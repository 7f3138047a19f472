import { describe, expect, it } from "vitest";
import documented from "./fixtures/opslevel/deploy.json";
import { ADMIN, callJson, createIntegration, drain, putService } from "./helpers";

async function post(id: string, dedup: string, extra: Record<string, unknown>) {
  const res = await callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: dedup, ...extra });
  expect(res.status).toBe(202);
}

describe("GET /api/v1/deployments", () => {
  it("pages newest first with a cursor and filters by service, team, environment and time", async () => {
    const { id } = await createIntegration("opslevel");
    await putService("list-api-web", { name: "Web", team: "list-api-team" });
    for (let day = 1; day <= 5; day++) {
      await post(id, `web-${day}`, { service: "list-api-web", deployed_at: `2025-03-0${day} 10:00:00` });
    }
    await post(id, "api-1", { service: "list-api-api", deployed_at: "2025-03-03 12:00:00", environment: "staging" });
    await drain(id);

    const base = `/api/v1/deployments?integration=${id}`;
    const page1 = await callJson("GET", `${base}&limit=2`, undefined, ADMIN);
    expect(page1.json.items.map((d: any) => d.dedup_key)).toEqual(["web-5", "web-4"]);
    const page2 = await callJson("GET", `${base}&limit=2&cursor=${page1.json.next_cursor}`, undefined, ADMIN);
    expect(page2.json.items.map((d: any) => d.dedup_key)).toEqual(["api-1", "web-3"]);
    const page3 = await callJson("GET", `${base}&limit=2&cursor=${page2.json.next_cursor}`, undefined, ADMIN);
    expect(page3.json.items.map((d: any) => d.dedup_key)).toEqual(["web-2", "web-1"]);
    expect(page3.json.next_cursor).toBeNull();

    const byTeam = await callJson("GET", `${base}&team=list-api-team`, undefined, ADMIN);
    expect(byTeam.json.items).toHaveLength(5);
    const byEnv = await callJson("GET", `${base}&environment=stg`, undefined, ADMIN);
    expect(byEnv.json.items.map((d: any) => d.dedup_key)).toEqual(["api-1"]);
    const byService = await callJson("GET", `${base}&service=list-api-api`, undefined, ADMIN);
    expect(byService.json.items.map((d: any) => d.dedup_key)).toEqual(["api-1"]);
    // [from, to): the deploy at exactly `to` is left out.
    const window = await callJson("GET", `${base}&from=2025-03-02&to=2025-03-04T10:00:00Z`, undefined, ADMIN);
    expect(window.json.items.map((d: any) => d.dedup_key)).toEqual(["api-1", "web-3", "web-2"]);
    const byStatus = await callJson("GET", `${base}&status=failure`, undefined, ADMIN);
    expect(byStatus.json.items).toEqual([]);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["limit=ten", "limit"],
    ["from=2019-13-45", "from is not a valid date or time"],
    ["cursor=garbage", "cursor is not one this API issued"],
  ])("refuses %s with a 400 naming it", async (query, detail) => {
    const res = await callJson("GET", `/api/v1/deployments?${query}`, undefined, ADMIN);
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.detail).join(" ")).toContain(detail);
  });

  it("names a parameter once when its message already starts with it", async () => {
    const res = await callJson("GET", "/api/v1/deployments?from=2019-13-45", undefined, ADMIN);
    expect(res.json.errors[0].detail).toBe('from is not a valid date or time: "2019-13-45"');
  });

  it("answers 404 for an unknown deployment", async () => {
    expect((await callJson("GET", "/api/v1/deployments/nope", undefined, ADMIN)).status).toBe(404);
  });
});

describe("service catalog", () => {
  it("resolves aliases case-insensitively and answers the catalog back", async () => {
    const created = await callJson("PUT", "/api/v1/services/catalog-pay", { name: "Payments", team: "money", aliases: ["PAY-API", "payments"], repositories: ["https://github.com/acme/pay.git"] }, ADMIN);
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ slug: "catalog-pay", name: "Payments", team: "money", aliases: ["pay-api", "payments"], repositories: ["https://github.com/acme/pay.git"] });
    const updated = await callJson("PUT", "/api/v1/services/catalog-pay", { name: "Payments API", aliases: ["pay-api"] }, ADMIN);
    expect(updated.status).toBe(200);
    expect(updated.json).toEqual({ slug: "catalog-pay", name: "Payments API", team: null, aliases: ["pay-api"], repositories: [] });

    const { id } = await createIntegration("opslevel");
    expect((await callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: "alias", service: "Pay-Api" })).json).toEqual({ result: "ok" });
    await drain(id);
    const list = await callJson("GET", `/api/v1/deployments?integration=${id}`, undefined, ADMIN);
    expect(list.json.items[0]).toMatchObject({ service: "catalog-pay", service_name: "Pay-Api" });
    const all = await callJson("GET", "/api/v1/services", undefined, ADMIN);
    expect(all.json.items.find((s: any) => s.slug === "catalog-pay")).toMatchObject({ name: "Payments API" });
  });

  it("refuses an alias or repository that belongs to another service with 409", async () => {
    await putService("catalog-a", { name: "A", aliases: ["shared-alias"], repositories: ["git@github.com:acme/a.git"] });
    const alias = await callJson("PUT", "/api/v1/services/catalog-b", { name: "B", aliases: ["Shared-Alias"] }, ADMIN);
    expect(alias.status).toBe(409);
    expect(alias.json.errors[0].detail).toBe('alias "shared-alias" already belongs to service "catalog-a"');
    const repo = await callJson("PUT", "/api/v1/services/catalog-b", { name: "B", repositories: ["https://github.com/acme/a"] }, ADMIN);
    expect(repo.status).toBe(409);
    expect(repo.json.errors[0].detail).toBe('repository "https://github.com/acme/a.git" already belongs to service "catalog-a"'.replace("https://github.com/acme/a.git", "git@github.com:acme/a.git"));
    expect((await callJson("GET", "/api/v1/services/catalog-b", undefined, ADMIN)).status).toBe(404);
  });

  it.each([
    ["/api/v1/services/bad%20slug", { name: "x" }, "slug must be"],
    ["/api/v1/services/ok-slug", { team: "x" }, "param is missing or the value is empty: name"],
    ["/api/v1/services/ok-slug", { name: "x", aliases: "one" }, "aliases:"],
  ])("refuses PUT %s %j", async (path, body, detail) => {
    const res = await callJson("PUT", path, body, ADMIN);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].detail).toContain(detail);
  });
});
