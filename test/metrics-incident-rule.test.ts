/**
 * Which incidents count: an integration's rule leaves out incidents below its priority or of another
 * urgency, from the next full recompute on. Worked by hand over four deployments and five incidents.
 */
import { describe, expect, it } from "vitest";
import { recompute } from "../src/metrics/recompute";
import { ADMIN, callJson, createIntegration, env } from "./helpers";
import { deploymentEvents, incidentEvents, prefix } from "./recompute/rows";

describe("an integration's incident rule", () => {
  it("keeps the incidents it leaves out from links, failures, recovery and restore times, and lists them as not counted", async () => {
    const p = prefix("rule");
    const svc = `${p}-svc`;
    const { id } = await createIntegration("generic");
    await deploymentEvents(["01", "02", "03", "04"].map((day, i) => ({ id: `${p}-D${i + 1}`, service: svc, at: `2025-07-${day}T10:00:00.000Z` })));
    const incident = (name: string, priority: string | null, urgency: string | null, created: string, resolved: string) => ({
      id: `${p}-${name}`,
      integration_id: id,
      service: svc,
      priority,
      urgency,
      created_at: `2025-07-${created}:00.000Z`,
      resolved_at: `2025-07-${resolved}:00.000Z`,
    });
    await incidentEvents([
      // Counts: 1 hour after D1, restored in 2 h; D1 recovers 3 h after it was deployed.
      incident("I1", "P1", "high", "01T11:00", "01T13:00"),
      // Below P2: left out. 1 h to restore.
      incident("I2", "P4", "high", "02T11:00", "02T12:00"),
      // Low urgency: left out. 30 min to restore.
      incident("I4", "P2", "low", "02T13:00", "02T13:30"),
      // Unknown priority and urgency: counts. Links D3, restored in 4 h; D3 recovers in 6 h.
      incident("I3", null, null, "03T12:00", "03T16:00"),
      // P1 of unknown urgency: counts. Links D4, restored in 8 h; D4 recovers in 10 h.
      incident("I5", "P1", null, "04T12:00", "04T20:00"),
    ]);
    const metrics = async () => {
      const res = await callJson("GET", `/api/v1/metrics?service=${svc}&from=2025-07-01&to=2025-07-08`, undefined, ADMIN);
      expect(res.status, res.text).toBe(200);
      return res.json;
    };

    // Without a rule every incident counts: D2 fails too (I2 and I4), recovered when I4 is, 3.5 h after.
    await recompute(env.DB, { full: true, linkWindowHours: 168 });
    const before = await metrics();
    expect(before.change_failure_rate).toMatchObject({ failed: 4, total: 4, rate: 1 });
    // Recoveries 10800, 12600, 21600, 36000 s: median (12600 + 21600) / 2.
    expect(before.failed_deployment_recovery_time).toMatchObject({ median_seconds: 17100, samples: 4 });
    // Restores 1800, 3600, 7200, 14400, 28800 s.
    expect(before.time_to_restore_service).toMatchObject({ median_seconds: 7200, samples: 5 });

    await env.DB.prepare("UPDATE integrations SET incident_rule = ? WHERE id = ?").bind(JSON.stringify({ min_priority: "P2", urgency: "high" }), id).run();
    await recompute(env.DB, { full: true, linkWindowHours: 168 });
    const after = await metrics();
    // D1, D3 and D4 failed; D2 only had incidents the rule leaves out.
    expect(after.change_failure_rate).toMatchObject({ failed: 3, total: 4, rate: 0.75 });
    // Recoveries 10800 (D1), 21600 (D3), 36000 (D4).
    expect(after.failed_deployment_recovery_time).toMatchObject({ median_seconds: 21600, samples: 3, unrecovered: 0 });
    // Restores 7200 (I1), 14400 (I3), 28800 (I5).
    expect(after.time_to_restore_service).toMatchObject({ median_seconds: 14400, samples: 3 });

    const listed = await callJson("GET", `/api/v1/incidents?service=${svc}&limit=10`, undefined, ADMIN);
    expect(listed.status, listed.text).toBe(200);
    const shown = Object.fromEntries(
      (listed.json.items as { id: string; counted: boolean; linked_deployment: { id: string } | null }[]).map((i) => [i.id.slice(p.length + 1), [i.counted, i.linked_deployment?.id.slice(p.length + 1) ?? null]]),
    );
    expect(shown).toEqual({ I1: [true, "D1"], I2: [false, null], I3: [true, "D3"], I4: [false, null], I5: [true, "D4"] });
    const one = await callJson("GET", `/api/v1/incidents/${p}-I2`, undefined, ADMIN);
    expect(one.json.counted).toBe(false);
  });
});
