import { describe, expect, it } from "vitest";
import broken from "./fixtures/opslevel/service-created.txt?raw";
import documented from "./fixtures/opslevel/service-created.json";
import { opslevelServiceCreatedSchema, serviceFromContext } from "../src/vendors/opslevel/service-created";
import { ADMIN, callJson, createIntegration, putService } from "./helpers";

const path = (id: string) => `/integrations/opslevel/${id}/service-created`;

describe("OpsLevel service-creation webhook", () => {
  it("refuses the vendor's example with its trailing comma, saying where, then catalogs the corrected one", async () => {
    const integration = await createIntegration("opslevel");
    const bad = await callJson("POST", path(integration.id), broken);
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].detail).toMatch(/^malformed JSON: .*line 158 column 1/);
    expect((await callJson("GET", "/api/v1/services/django_test", undefined, ADMIN)).status).toBe(404);

    const ok = await callJson("POST", path(integration.id), documented);
    expect(ok.status, ok.text).toBe(202);
    expect(ok.text).toBe('{"result":"ok"}');
    const service = await callJson("GET", "/api/v1/services/django_test", undefined, ADMIN);
    expect(service.json).toEqual({
      slug: "django_test",
      name: "Django Test",
      team: "aes_sedai",
      aliases: ["django test"],
      repositories: ["https://github.com/GROUP/django-boilerplate", "https://github.com/GROUP/django-test"],
    });

    // Fired again (a retried webhook), it changes nothing.
    expect((await callJson("POST", path(integration.id), documented)).status).toBe(202);
    expect((await callJson("GET", "/api/v1/services/django_test", undefined, ADMIN)).json).toEqual(service.json);
  });

  it("adds to an existing entry without dropping the aliases and repositories an admin gave it", async () => {
    const integration = await createIntegration("opslevel");
    const slug = `merged_${crypto.randomUUID().slice(0, 8)}`;
    await putService(slug, { name: "Before", aliases: [`${slug}-alias`], repositories: [`https://github.com/acme/${slug}-old`] });
    const context = { ...documented, service: { ...documented.service, slug, name: "After", service_repositories: [] }, template_run: { ...documented.template_run, outputs: { ...documented.template_run.outputs, repo_url: `https://github.com/acme/${slug}-new` } } };
    expect((await callJson("POST", path(integration.id), context)).status).toBe(202);
    const service = await callJson("GET", `/api/v1/services/${slug}`, undefined, ADMIN);
    expect(service.json).toMatchObject({ name: "After", team: "aes_sedai" });
    expect(service.json.aliases).toEqual(expect.arrayContaining([`${slug}-alias`, "after"]));
    expect(service.json.repositories).toEqual(expect.arrayContaining([`https://github.com/acme/${slug}-old`, `https://github.com/acme/${slug}-new`]));
  });

  it("answers 404 for an unknown id, another vendor's integration or a deleted one", async () => {
    const other = await createIntegration("generic");
    const deleted = await createIntegration("opslevel");
    await callJson("DELETE", `/api/v1/integrations/${deleted.id}`, undefined, ADMIN);
    for (const id of ["00000000-0000-0000-0000-000000000000", "nope", other.id, deleted.id]) {
      const res = await callJson("POST", path(id), { ...documented, service: { ...documented.service, slug: "never_created" } });
      expect(res.status).toBe(404);
    }
    expect((await callJson("GET", "/api/v1/services/never_created", undefined, ADMIN)).status).toBe(404);
  });

  it.each([
    ["slug", "service.slug"],
    ["name", "service.name"],
  ])("names the missing service.%s", async (field, path_) => {
    const integration = await createIntegration("opslevel");
    const service: Record<string, unknown> = { ...documented.service, slug: "missing_field_svc" };
    delete service[field];
    const res = await callJson("POST", path(integration.id), { ...documented, service });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: any) => e.detail)).toEqual([`param is missing or the value is empty: ${path_}`]);
  });

  it("refuses a repository that another service already owns with 409, storing nothing", async () => {
    const integration = await createIntegration("opslevel");
    await putService("svc-owner-of-repo", { name: "Owner", repositories: ["https://github.com/acme/owned-repo"] });
    const body = {
      service: { slug: "svc_conflict", name: "Conflict", service_repositories: [{ deep_url: "git@github.com:acme/owned-repo.git" }] },
    };
    const res = await callJson("POST", path(integration.id), body);
    expect(res.status).toBe(409);
    expect(res.json.errors[0].detail).toContain("svc-owner-of-repo");
    expect((await callJson("GET", "/api/v1/services/svc_conflict", undefined, ADMIN)).status).toBe(404);
  });

  it("reads the catalog entry from the context (unit)", () => {
    const entry = serviceFromContext(opslevelServiceCreatedSchema.parse({ service: { slug: "a", name: "A", owner: { name: "Team A" } } }));
    expect(entry).toEqual({ slug: "a", name: "A", team: "Team A", aliases: [], repositories: [] });
  });
});
