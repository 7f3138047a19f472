/**
 * What the outbox drain writes: when a record is updated, the record but not its commits when they
 * are the ones already stored (every update carries the merged record's commits again); for a new
 * deployment without a change id, no entry in the index by change id.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import deployment from "./fixtures/generic/deployment.json";
import { callJson, createIntegration, env, integrationStub } from "./helpers";
import type { IntegrationObject } from "../src/ingest/integration-object";

interface Written {
  table: string;
  rows: number;
}

/** A D1 binding that records, for each statement of a batch, the table it upserts and the rows it wrote. */
function recordingD1(real: D1Database, log: Written[]): D1Database {
  const queries = new WeakMap<D1PreparedStatement, string>();
  const prepare = (query: string) => {
    const statement = real.prepare(query);
    const bind = statement.bind.bind(statement);
    statement.bind = (...values: unknown[]) => {
      const bound = bind(...values);
      queries.set(bound, query);
      return bound;
    };
    queries.set(statement, query);
    return statement;
  };
  return {
    prepare,
    async batch<T>(statements: D1PreparedStatement[]) {
      const results = await real.batch<T>(statements);
      results.forEach((r, i) => log.push({ table: /INSERT (?:OR \w+ )?INTO (\w+)/.exec(queries.get(statements[i]!) ?? "")?.[1] ?? "", rows: r.meta.rows_written }));
      return results;
    },
  } as unknown as D1Database;
}

/**
 * An integration whose drain writes through `recordingD1`; `post` sends one deployment, drains it and
 * returns the rows D1 wrote per table.
 */
async function recordedIntegration() {
  const integration = await createIntegration("generic");
  const stub = integrationStub(integration.id);
  const log: Written[] = [];
  await runInDurableObject(stub, (instance: IntegrationObject) => {
    const { outbox } = instance as unknown as { outbox: { target: typeof env } };
    outbox.target = { ...outbox.target, DB: recordingD1(env.DB, log) };
  });
  const post = async (body: object): Promise<Record<string, number>> => {
    log.length = 0;
    expect((await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, body, { authorization: `Bearer ${integration.secret}` })).status).toBe(202);
    while ((await stub.pendingCount()) > 0) await runDurableObjectAlarm(stub);
    return Object.fromEntries(log.map((w) => [w.table, w.rows]));
  };
  return { integration, post };
}

describe("drain writes", () => {
  it("writes an entry in the index by change id only for a deployment that has one", async () => {
    const { post } = await recordedIntegration();
    const withChange = (await post({ ...deployment, dedup_key: "with-change" })).deployments!;
    expect((await post({ ...deployment, dedup_key: "without-change", change_id: undefined })).deployments).toBe(withChange - 1);
  });

  it("rewrites an updated deployment's commits only when they changed", async () => {
    const { integration, post } = await recordedIntegration();
    const created = await post(deployment);
    expect(created.deployments).toBeGreaterThan(0);
    expect(created.deployment_commits).toBeGreaterThan(0);

    // A later delivery about the same deployment, without commits: the stored ones are merged in.
    const updated = await post({ ...deployment, description: "Release 2024.03.28, notes added", commits: [] });
    expect(updated.deployments).toBeGreaterThan(0);
    expect(updated.deployment_commits).toBe(0);

    // A commit that changed is written.
    const dated = await post({ ...deployment, commits: [{ ...deployment.commits[0], message: "Fix tax rate (reworded)" }] });
    expect(dated.deployment_commits).toBeGreaterThan(0);
    const stored = await env.DB.prepare("SELECT message, committed_at FROM deployment_commits c JOIN deployments d ON d.id = c.deployment_id WHERE d.integration_id = ?")
      .bind(integration.id)
      .all();
    expect(stored.results).toEqual([{ message: "Fix tax rate (reworded)", committed_at: "2024-03-28T05:20:00.000Z" }]);
  });
});
