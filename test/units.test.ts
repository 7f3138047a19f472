/**
 * What an event and a recompute cost in billed units, counted from the real storage calls. The
 * bench runs this file and reports the `units` line it prints; the bounds keep a change from
 * making an event dearer unnoticed.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import deployment from "./fixtures/generic/deployment.json";
import { callJson, createIntegration, env, integrationStub } from "./helpers";
import { countDurableSql, countingD1, tally } from "./counting";
import type { IntegrationObject } from "../src/ingest/integration-object";
import { recompute } from "../src/metrics/recompute";

const EVENTS = 200;

describe("billed units", () => {
  // 200 deliveries, two recomputes: seconds on a loaded machine.
  it("counts what an accepted deployment and a recompute cost", { timeout: 60_000 }, async () => {
    const integration = await createIntegration("generic");
    const stub = integrationStub(integration.id);
    const durable = tally();
    const d1 = tally();
    // Each request is one call to the object; each drain is one alarm, billed as a request too, and
    // writes one R2 object.
    let alarmsRun = 0;
    let settle = () => {};
    await runInDurableObject(stub, (instance: IntegrationObject, state) => {
      settle = countDurableSql(state.storage.sql, durable);
      const { outbox } = instance as unknown as { outbox: { target: typeof env } };
      outbox.target = { ...outbox.target, DB: countingD1(env.DB, d1) };
    });
    const before = (await env.RAW.list({ prefix: "raw/" })).objects.length;

    // One delivery per request, each a new deployment, sent one after another as a CI system would.
    for (let i = 0; i < EVENTS; i++) {
      const res = await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, { ...deployment, dedup_key: `units-${i}` }, { authorization: `Bearer ${integration.secret}` });
      expect(res.status).toBe(202);
    }
    while ((await stub.pendingCount()) > 0) {
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      alarmsRun++;
    }
    await runInDurableObject(stub, () => settle());
    // Drains also ran on their own, from the alarm each acknowledgement sets.
    const drains = (await env.RAW.list({ prefix: "raw/" })).objects.length - before;
    expect(drains).toBeGreaterThanOrEqual(alarmsRun);

    const full = tally();
    await recompute(countingD1(env.DB, full), { full: true, linkWindowHours: 168 });
    for (let i = 0; i < 10; i++) {
      await callJson("POST", `/webhooks/generic/${integration.id}/deployments`, { ...deployment, dedup_key: `units-late-${i}` }, { authorization: `Bearer ${integration.secret}` });
    }
    while ((await stub.pendingCount()) > 0) await runDurableObjectAlarm(stub);
    const incremental = tally();
    await recompute(countingD1(env.DB, incremental), { linkWindowHours: 168 });

    const perEvent = (n: number) => Math.round((n / EVENTS) * 1000) / 1000;
    const units = {
      events: EVENTS,
      per_event: {
        worker_requests: 1,
        do_requests: perEvent(EVENTS + drains),
        do_rows_read: perEvent(durable.rowsRead),
        do_rows_written: perEvent(durable.rowsWritten),
        d1_rows_read: perEvent(d1.rowsRead),
        d1_rows_written: perEvent(d1.rowsWritten),
        r2_class_a: perEvent(drains),
      },
      drain_batches: drains,
      recompute_full: { deployments: EVENTS, d1_rows_read: full.rowsRead, d1_rows_written: full.rowsWritten, statements_batches: full.calls },
      recompute_incremental: { changed: 10, d1_rows_read: incremental.rowsRead, d1_rows_written: incremental.rowsWritten, statements_batches: incremental.calls },
    };
    console.log(`units ${JSON.stringify(units)}`);
    // Measured when written: 7 Durable Object rows read and 6 written, 6.5 D1 rows read per event; D1 rows written
    // 12.7 since the tables keyed by text have no rowid (16 before: their key was written twice).
    expect(units.per_event.do_rows_written).toBeGreaterThan(0);
    expect(units.per_event.do_rows_written).toBeLessThanOrEqual(6.5);
    expect(units.per_event.do_rows_read).toBeLessThanOrEqual(8);
    expect(units.per_event.d1_rows_written).toBeGreaterThan(0);
    expect(units.per_event.d1_rows_written).toBeLessThanOrEqual(13);
    expect(units.per_event.d1_rows_read).toBeLessThanOrEqual(9);
  });
});
