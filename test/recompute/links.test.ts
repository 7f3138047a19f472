/**
 * Incident links: counted deployments and incidents in, each incident's link and the deployments
 * whose links moved out.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { incidentLinks } from "../../src/metrics/recompute/links";
import { CHUNK } from "../../src/metrics/recompute/range";
import { clearDerived, derivedDeployments, deploymentEvents, env, insert, prefix, rows, wholeHistory } from "./rows";

// Each test starts from empty derived tables: a phase over the whole history sees every row there.
beforeEach(clearDerived);

describe("incident links", () => {
  it("link what an incident names, else the latest deployment of its group within the window, and flag the deployments that gain or lose a link", async () => {
    const p = prefix("links");
    const svc = `${p}-svc`;
    const deployed = [
      { id: `${p}-d1`, environment: "production", at: "2025-06-01T10:00:00.000Z", counted: 1 },
      { id: `${p}-d2`, environment: "production", at: "2025-06-02T10:00:00.000Z", counted: 1 },
      { id: `${p}-d3`, environment: "staging", at: "2025-06-02T11:00:00.000Z", counted: 1 },
      // Failed: never linked.
      { id: `${p}-d4`, environment: "production", at: "2025-06-03T10:00:00.000Z", counted: 0 },
    ];
    await deploymentEvents(deployed.map((d) => ({ ...d, service: svc, change_id: d.id === `${p}-d1` ? `${p}-chg` : null })));
    await derivedDeployments(deployed.map((d) => ({ ...d, service: svc, day: d.at.slice(0, 10) })));
    const incident = (id: string, environment: string, created_at: string, more: Record<string, unknown> = {}) => ({
      id: `${p}-${id}`,
      service: svc,
      environment,
      created_at,
      day: created_at.slice(0, 10),
      link_change_id: null,
      deployment_id: null,
      linked_by: null,
      ...more,
    });
    await insert("metric_incidents", [
      incident("i1", "production", "2025-06-02T12:00:00.000Z"),
      // 26 hours after d2, and d4 failed: nothing within the 24-hour window.
      incident("i2", "production", "2025-06-03T12:00:00.000Z"),
      // Names d1's change, long after it.
      incident("i3", "production", "2025-06-04T00:00:00.000Z", { link_change_id: `${p}-chg` }),
      incident("i4", "staging", "2025-06-02T12:00:00.000Z"),
      // Linked to d2 by an earlier run, when d2 was later than it is now.
      incident("i5", "production", "2025-06-05T00:00:00.000Z", { deployment_id: `${p}-d2`, linked_by: "time" }),
    ]);

    await env.DB.batch([wholeHistory(), ...incidentLinks(env.DB, 24, CHUNK)]);

    expect(await rows("SELECT id, deployment_id, linked_by FROM metric_incidents WHERE id LIKE ? ORDER BY id", p)).toEqual([
      { id: `${p}-i1`, deployment_id: `${p}-d2`, linked_by: "time" },
      { id: `${p}-i2`, deployment_id: null, linked_by: null },
      { id: `${p}-i3`, deployment_id: `${p}-d1`, linked_by: "explicit" },
      { id: `${p}-i4`, deployment_id: `${p}-d3`, linked_by: "time" },
      { id: `${p}-i5`, deployment_id: null, linked_by: null },
    ]);
    expect(await rows("SELECT kind, id FROM metric_work_ids WHERE id LIKE ? ORDER BY id", p)).toEqual([
      { kind: "flag", id: `${p}-d1` },
      { kind: "flag", id: `${p}-d2` },
      { kind: "flag", id: `${p}-d3` },
    ]);
  });
});
