import { describe, expect, it } from "vitest";
import documented from "./fixtures/opslevel/deploy.json";
import genericDeployment from "./fixtures/generic/deployment.json";
import { callJson, createIntegration, drain, env, type CreatedIntegration } from "./helpers";

const UNLIMITED = { rate_limit: { requests_per_second: 1_000_000, burst: 1_000_000 } };
/** The same ten dedup ids in every integration: each must keep its own ten records. */
const KEYS = Array.from({ length: 10 }, (_, i) => `shared-key-${i}`);
const POSTS_PER_INTEGRATION = 40;

interface Row {
  integration_id: string;
  dedup_key: string;
  seq: number;
  last_seq: number;
  description: string;
}

async function rowsOf(id: string): Promise<Row[]> {
  const { results } = await env.DB.prepare("SELECT integration_id, dedup_key, seq, last_seq, description FROM deployments WHERE integration_id = ? ORDER BY seq")
    .bind(id)
    .all<Row>();
  return results;
}

/** One post: OpsLevel keeps the first deploy of a dedup id; our own format updates it. */
function post(i: CreatedIntegration, n: number) {
  const key = KEYS[n % KEYS.length]!;
  if (i.vendor === "opslevel") return callJson("POST", `/integrations/deploy/${i.id}`, { ...documented, dedup_id: key, description: i.id });
  return callJson("POST", `/webhooks/generic/${i.id}/deployments`, { ...genericDeployment, dedup_key: key, description: i.id }, { authorization: `Bearer ${i.secret}` });
}

describe("concurrency: many connections, one and many integrations", () => {
  it("stores each dedup id once per integration, numbers each integration's events without gaps or repeats, and never mixes them", async () => {
    const integrations = [
      ...(await Promise.all([0, 1, 2].map(() => createIntegration("opslevel", UNLIMITED)))),
      ...(await Promise.all([0, 1, 2].map(() => createIntegration("generic", UNLIMITED)))),
    ];
    const jobs = integrations.flatMap((i) => Array.from({ length: POSTS_PER_INTEGRATION }, (_, n) => ({ i, n })));
    // Interleave the integrations so that their requests really overlap.
    jobs.sort((a, b) => a.n - b.n);
    const replies = await Promise.all(jobs.map(({ i, n }) => post(i, n).then((r) => ({ i, r }))));
    expect(replies.filter(({ r }) => r.status !== 202).map(({ r }) => r.text)).toEqual([]);

    for (const integration of integrations) {
      await drain(integration.id);
      const mine = replies.filter(({ i }) => i === integration).map(({ r }) => r.json);
      const rows = await rowsOf(integration.id);
      expect(rows.map((r) => r.dedup_key).sort()).toEqual([...KEYS].sort());
      expect(rows.every((r) => r.integration_id === integration.id && r.description === integration.id)).toBe(true);
      expect(new Set(rows.map((r) => r.seq)).size).toBe(rows.length);
      if (integration.vendor === "opslevel") {
        // First wins: ten creations took sequence numbers 1..10, the thirty repeats none.
        expect(mine.filter((j) => j.result === "duplicate_deploy")).toHaveLength(POSTS_PER_INTEGRATION - KEYS.length);
        expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: KEYS.length }, (_, k) => k + 1));
      } else {
        // Every accepted creation or update took the next number: they are exactly 1..accepted.
        const accepted = mine.filter((j) => j.results[0].result === "ok").length;
        const numbers = await env.DB.prepare("SELECT max(last_seq) AS top FROM deployments WHERE integration_id = ?").bind(integration.id).first<number>("top");
        expect(numbers).toBe(accepted);
        expect(rows.every((r) => r.seq <= r.last_seq && r.last_seq <= accepted)).toBe(true);
      }
    }
  });
});
