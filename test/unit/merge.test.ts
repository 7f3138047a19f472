import { describe, expect, it } from "vitest";
import type { DeploymentEvent, IncidentEvent, StoredRecord } from "../../src/events/canonical";
import { merge, sameFields } from "../../src/ingest/merge";
import { deploymentEvent as deploy, incidentEvent as incident } from "../events";

const accepted = { id: "r", integration_id: "i", seq: 1, last_seq: 1, received_at: "2026-01-01T00:00:00.000Z", service_name: "s", environment_normalized: "production" };

const stored = (event: DeploymentEvent | IncidentEvent) => ({ ...event, ...accepted }) as StoredRecord;
const commit = { sha: "abc", repository: "r", branch: null, message: "m", committed_at: null, authored_at: null };

describe("merge", () => {
  it("lets the later event's fields win and keeps those it lacks, nested objects field by field", () => {
    const current = stored(deploy({ started_at: "2026-01-01T10:00:00.000Z", url: "u", deployer: { id: "1", name: "pam", email: "p@x" }, commits: [commit], raw: { n: 1 } }));
    const { event, superseded } = merge(current, deploy({ status: "success", finished_at: "2026-01-01T10:05:00.000Z", deployer: { id: null, name: "jim", email: null }, raw: { n: 2 } }), accepted.received_at);
    expect(superseded).toBe(true);
    expect(event).toMatchObject({
      status: "success",
      started_at: "2026-01-01T10:00:00.000Z",
      finished_at: "2026-01-01T10:05:00.000Z",
      url: "u",
      deployer: { id: "1", name: "jim", email: "p@x" },
      commits: [commit],
      raw: { n: 2 },
    });
  });

  it("lets an out-of-order event only fill what the record lacks, never its status or times", () => {
    const current = stored(deploy({ status: "success", finished_at: "2026-01-01T10:05:00.000Z", url: "kept" }));
    const { event, superseded } = merge(current, deploy({ status: "in_progress", started_at: "2026-01-01T10:00:00.000Z", url: "older", raw: { late: true } }), accepted.received_at);
    expect(superseded).toBe(false);
    expect(event).toMatchObject({ status: "success", finished_at: "2026-01-01T10:05:00.000Z", started_at: "2026-01-01T10:00:00.000Z", url: "kept", raw: { late: true } });
  });

  it("merges an incident's links one by one", () => {
    const current = stored(incident({ links: { change_id: null, deployment_id: "dep", commit_sha: "abc" } }));
    const { event } = merge(current, incident({ status: "resolved", resolved_at: "2026-01-01T02:00:00.000Z", links: { change_id: "CHG", deployment_id: null, commit_sha: null } }), accepted.received_at);
    expect(event).toMatchObject({ status: "resolved", links: { change_id: "CHG", deployment_id: "dep", commit_sha: "abc" } });
  });

  it("sees a redelivery of the same body as no change, and any other raw as one", () => {
    const current = stored(deploy({ url: "u", raw: { a: 1 } }));
    expect(sameFields(merge(current, deploy({ url: "u", raw: { a: 1 } }), accepted.received_at).event, current)).toBe(true);
    expect(sameFields(merge(current, deploy({ raw: { a: 2 } }), accepted.received_at).event, current)).toBe(false);
  });

  it("never lets a default replace a value a sender gave, in either order", () => {
    const failed = stored(deploy({ status: "failure", finished_at: "2026-01-01T10:05:00.000Z" }));
    const repost = deploy({ status: "success", finished_at: "2026-01-01T11:00:00.000Z", url: "u", defaulted: ["status", "finished_at"] });
    const later = merge(failed, repost, accepted.received_at);
    expect(later.event).toMatchObject({ status: "failure", finished_at: "2026-01-01T10:05:00.000Z", url: "u" });
    expect(later.event).not.toHaveProperty("defaulted");

    const first = stored(repost);
    const earlier = merge(first, deploy({ status: "failure", finished_at: "2026-01-01T10:05:00.000Z" }), accepted.received_at);
    expect(earlier.event).toMatchObject({ status: "failure", finished_at: "2026-01-01T10:05:00.000Z", url: "u" });
    expect(earlier.event).not.toHaveProperty("defaulted");
  });

  it("lets a given value fill a stored default even out of order", () => {
    const current = stored(incident({ status: "resolved", resolved_at: "2026-01-01T02:00:00.000Z", counted: true, defaulted: ["counted"] }));
    const { event, superseded } = merge(current, incident({ counted: false }), accepted.received_at);
    expect(superseded).toBe(false);
    expect(event).toMatchObject({ status: "resolved", counted: false });
    expect(event).not.toHaveProperty("defaulted");
  });

  it("lets a later default replace an earlier default, and keeps it named", () => {
    const current = stored(deploy({ status: "pending", finished_at: "2026-01-01T10:00:00.000Z", defaulted: ["finished_at"] }));
    const { event } = merge(current, deploy({ status: "success", finished_at: "2026-01-01T10:30:00.000Z", defaulted: ["status", "finished_at"] }), accepted.received_at);
    expect(event).toMatchObject({ status: "pending", finished_at: "2026-01-01T10:30:00.000Z", defaulted: ["finished_at"] });
  });
});
