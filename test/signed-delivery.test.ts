/**
 * A signed delivery (GitHub, PagerDuty) is one call to the integration's object, which verifies
 * the HMAC over the raw bytes before it stores anything; a body that carries nothing to store is
 * answered only once its signature is verified.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import github from "./fixtures/github/deployment_status.json";
import pagerduty from "./fixtures/pagerduty/incident.triggered.json";
import type { IntegrationObject } from "../src/ingest/integration-object";
import type { IngestRequest } from "../src/ingest/protocol";
import { githubDeploymentStatusSchema, normalizeGitHubDeploymentStatus } from "../src/vendors/github/deployment-status";
import { createIntegration, integrationStub } from "./helpers";
import { hmacHex, postRaw } from "./signing";
import { storedCount } from "./stored";

const encoder = new TextEncoder();

/** A GitHub delivery as the route hands it to the object, signed with `signature`. */
function githubRequest(body: string, signature: string): IngestRequest {
  const raw = JSON.parse(body);
  const event = normalizeGitHubDeploymentStatus(githubDeploymentStatusSchema.parse(raw), raw)!;
  return {
    vendor: "github",
    credential: { kind: "signature", body: encoder.encode(body), signatures: [signature] },
    delivery_id: null,
    commands: [{ op: "record", event, mode: "update" }],
  };
}

describe("signed deliveries", () => {
  it("are verified by the object over the raw bytes before anything is stored", async () => {
    const { id, secret } = await createIntegration("github");
    const body = JSON.stringify(github);
    const replies = await runInDurableObject(integrationStub(id), async (instance: IntegrationObject) => {
      const wrong = await instance.ingest(githubRequest(body, await hmacHex("not the secret", body)));
      const pending = instance.pendingCount();
      const right = await instance.ingest(githubRequest(body, await hmacHex(secret, body)));
      return { wrong, pending, right };
    });
    expect(replies.wrong).toEqual({ ok: false, reason: "bad_credential" });
    expect(replies.pending).toBe(0);
    expect(replies.right).toMatchObject({ ok: true, results: [{ result: "created" }] });
    expect(await storedCount("deployments", id)).toBe(1);
  });

  const routes = [
    {
      vendor: "github",
      body: github,
      header: "x-hub-signature-256",
      sign: (hex: string) => `sha256=${hex}`,
      events: { tracked: "deployment_status", ignored: "push", ping: "ping" } as Record<string, string>,
    },
    { vendor: "pagerduty", body: pagerduty, header: "x-pagerduty-signature", sign: (hex: string) => `v1=${hex}`, events: {} as Record<string, string> },
  ];

  it.each(routes)("$vendor: a wrong signature gets the same 401 whatever the body holds, and stores nothing", async (route) => {
    const { id, secret } = await createIntegration(route.vendor);
    const bodies = {
      tracked: JSON.stringify(route.body),
      malformed: "{not json",
      invalid: JSON.stringify({ event: { event_type: 42 } }),
      ignored: JSON.stringify({ ...route.body, event: { ...(route.body as any).event, event_type: "service.updated" } }),
      ping: JSON.stringify({ zen: "Keep it logically awesome." }),
    };
    const post = async (kind: keyof typeof bodies, key: string, target = id) => {
      const body = bodies[kind];
      const headers: Record<string, string> = { [route.header]: route.sign(await hmacHex(key, body)), "x-github-delivery": crypto.randomUUID() };
      headers["x-github-event"] = route.events[kind] ?? route.events.tracked ?? "";
      return postRaw(`/webhooks/${route.vendor}/${target}`, body, headers);
    };
    const refusals = new Set<string>();
    for (const kind of Object.keys(bodies) as (keyof typeof bodies)[]) {
      for (const target of [id, "not-a-uuid", crypto.randomUUID()]) {
        const res = await post(kind, "not the secret", target);
        expect(res.status, `${kind} ${target}`).toBe(401);
        refusals.add(res.text);
      }
    }
    expect(refusals.size).toBe(1);
    expect(await storedCount(route.vendor === "github" ? "deployments" : "incidents", id)).toBe(0);
    // Signed right, the same bodies are judged.
    expect((await post("malformed", secret)).status).toBe(400);
    expect((await post("ignored", secret)).status).toBe(202);
    expect((await post("tracked", secret)).status).toBe(202);
    expect(await storedCount(route.vendor === "github" ? "deployments" : "incidents", id)).toBe(1);
  });
});
