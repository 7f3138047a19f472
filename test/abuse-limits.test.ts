import { describe, expect, it } from "vitest";
import documented from "./fixtures/opslevel/deploy.json";
import single from "./fixtures/devlake/deployment-single.json";
import workflow1 from "./fixtures/devgrid/workflow-1-basic.json";
import { defaultRateLimit, TokenBucket } from "../src/ingest/rate-limit";
import { ADMIN, callJson, createIntegration, env } from "./helpers";
import { storedCount } from "./stored";

const tight = { rate_limit: { requests_per_second: 0.5, burst: 3 } };

describe("token bucket", () => {
  it("allows the burst, then refills at the sustained rate and says how long to wait", () => {
    const bucket = new TokenBucket({ requests_per_second: 2, burst: 3 }, 0);
    expect([0, 0, 0].map(() => bucket.take(0))).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(1);
    expect(bucket.take(500)).toBe(0);
    expect(bucket.take(500)).toBe(1);
    // Never more than the burst, however long it rested.
    const rested = [0, 0, 0, 0].map(() => bucket.take(3_600_000));
    expect(rested).toEqual([0, 0, 0, 1]);
    expect(new TokenBucket({ requests_per_second: 0.1, burst: 1 }, 0).take(0)).toBe(0);
    const slow = new TokenBucket({ requests_per_second: 0.1, burst: 1 }, 0);
    slow.take(0);
    expect(slow.take(0)).toBe(10);
  });

  it("takes its default from wrangler vars, naming a value that is not a positive number", () => {
    expect(defaultRateLimit("50", "200")).toEqual({ requests_per_second: 50, burst: 200 });
    expect(defaultRateLimit(undefined, "")).toEqual({ requests_per_second: 50, burst: 200 });
    expect(() => defaultRateLimit("-1", "200")).toThrow(/RATE_LIMIT_PER_SECOND must be a positive number/);
    expect(() => defaultRateLimit("50", "abc")).toThrow(/RATE_LIMIT_BURST must be a positive number/);
    expect(defaultRateLimit("5", "10")).toEqual({ requests_per_second: 5, burst: 10 });
    expect(defaultRateLimit(env.RATE_LIMIT_PER_SECOND, env.RATE_LIMIT_BURST)).toEqual({ requests_per_second: 50, burst: 200 });
  });
});

describe("per-integration rate limit", () => {
  it("answers 429 with Retry-After in OpsLevel's error shape past the burst, and stores nothing for it", async () => {
    const { id } = await createIntegration("opslevel", tight);
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await callJson("POST", `/integrations/deploy/${id}`, { ...documented, dedup_id: `rl-${id}-${i}` }));
    expect(replies.slice(0, 3).map((r) => r.status)).toEqual([202, 202, 202]);
    const limited = replies[3]!;
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.json).toEqual({
      errors: [{ status: 429, title: "Too Many Requests", detail: expect.stringMatching(/^rate limit exceeded for this integration; retry after \d+ s$/) }],
    });
    expect(await storedCount("deployments", id)).toBe(3);
  });

  it("answers DevLake's error shape on DevLake routes", async () => {
    const integration = await createIntegration("devlake", tight);
    const auth = { authorization: `Bearer ${integration.secret}` };
    const path = `/api/rest/plugins/webhook/${integration.id}/deployments`;
    for (let i = 0; i < 3; i++) expect((await callJson("POST", path, { ...single, id: `rl-dl-${i}` }, auth)).status).toBe(200);
    const limited = await callJson("POST", path, { ...single, id: "rl-dl-3" }, auth);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.json).toEqual({ success: false, message: expect.stringContaining("rate limit exceeded"), causes: [expect.stringContaining("retry after")] });
    expect(await storedCount("deployments", integration.id)).toBe(3);
  });

  it("spends no token on a request whose credential is wrong, so strangers cannot exhaust it", async () => {
    const integration = await createIntegration("generic", tight);
    const path = `/webhooks/generic/${integration.id}/deployments`;
    const body = (n: number) => ({ service: "rl-generic", dedup_key: `rl-g-${n}`, status: "success", finished_at: "2026-01-01T00:00:00Z" });
    for (let i = 0; i < 10; i++) expect((await callJson("POST", path, body(99), { authorization: "Bearer wrong" })).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await callJson("POST", path, body(i), { authorization: `Bearer ${integration.secret}` })).status).toBe(202);
    expect((await callJson("POST", path, body(3), { authorization: `Bearer ${integration.secret}` })).status).toBe(429);
  });

  it("keeps integrations apart: one over its limit does not slow another", async () => {
    const a = await createIntegration("opslevel", tight);
    const b = await createIntegration("opslevel", tight);
    for (let i = 0; i < 3; i++) await callJson("POST", `/integrations/deploy/${a.id}`, { ...documented, dedup_id: `rl-a-${i}` });
    expect((await callJson("POST", `/integrations/deploy/${a.id}`, { ...documented, dedup_id: "rl-a-x" })).status).toBe(429);
    expect((await callJson("POST", `/integrations/deploy/${b.id}`, { ...documented, dedup_id: "rl-b-0" })).status).toBe(202);
  });

  it("applies the deployment default (200 at once, 50/s sustained) when the integration names no limit", async () => {
    const { id, secret } = await createIntegration("gitlab");
    const started = Date.now();
    // Ignored events: each spends a token but stores nothing.
    const statuses = await Promise.all(
      Array.from({ length: 400 }, () => callJson("POST", `/webhooks/gitlab/${id}`, { object_kind: "push" }, { "x-gitlab-token": secret }).then((r) => r.status)),
    );
    const elapsed = (Date.now() - started) / 1000;
    const accepted = statuses.filter((s) => s === 202).length;
    expect(statuses.filter((s) => s !== 202 && s !== 429)).toEqual([]);
    expect(accepted).toBeGreaterThanOrEqual(200);
    expect(accepted).toBeLessThanOrEqual(200 + Math.ceil(50 * elapsed));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(400 - 200 - Math.ceil(50 * elapsed));
  });

  it("shows an integration's own rate limit, or null for the default, when the integration is read back", async () => {
    const own = await createIntegration("opslevel", tight);
    const plain = await createIntegration("opslevel");
    expect((await callJson("GET", `/api/v1/integrations/${own.id}`, undefined, ADMIN)).json.rate_limit).toEqual(tight.rate_limit);
    expect((await callJson("GET", `/api/v1/integrations/${plain.id}`, undefined, ADMIN)).json.rate_limit).toBeNull();
  });

  it("refuses a malformed rate_limit at creation, naming the field", async () => {
    const res = await callJson("POST", "/api/v1/integrations", { vendor: "opslevel", name: "x", rate_limit: { requests_per_second: 0, burst: 1 } }, ADMIN);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].detail).toContain("rate_limit.requests_per_second");
  });
});

describe("batch caps", () => {
  it("refuses more than 500 DevGrid events with 413 naming the limit, storing none of them", async () => {
    const integration = await createIntegration("devgrid");
    const event = workflow1.events[0]!;
    const events = (n: number) => Array.from({ length: n }, (_, i) => ({ ...event, attributes: { ...event.attributes, dedup_id: `cap-${integration.id}-${i}` } }));
    const tooMany = await callJson("POST", "/events", { events: events(501) }, { "x-api-key": integration.secret });
    expect(tooMany.status).toBe(413);
    expect(tooMany.json.errors[0].detail).toBe("events: at most 500 items per request, got 501; split them into several requests");
    expect(await storedCount("deployments", integration.id)).toBe(0);
    const most = await callJson("POST", "/events", { events: events(500) }, { "x-api-key": integration.secret });
    expect(most.status, most.text).toBe(201);
    expect(await storedCount("deployments", integration.id)).toBe(500);
  });
});
