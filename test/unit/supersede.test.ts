import { describe, expect, it } from "vitest";
import type { DeploymentEvent, IncidentEvent } from "../../src/events/canonical";
import { supersedes } from "../../src/ingest/supersede";
import { deploymentEvent, incidentEvent } from "../events";

const deploy = (status: DeploymentEvent["status"], finished_at: string | null) => ({
  ...deploymentEvent({ service: "s", status, started_at: "2026-01-01T00:00:00.000Z", finished_at }),
  received_at: "2026-01-01T00:00:00.000Z",
});

const incident = (status: IncidentEvent["status"], created_at: string, resolved_at: string | null) => ({
  ...incidentEvent({ service: "s", status, created_at, resolved_at }),
  received_at: created_at,
});

describe("supersedes", () => {
  it("never replaces a terminal status with a non-terminal one", () => {
    expect(supersedes(deploy("success", "2026-01-01T01:00:00.000Z"), deploy("in_progress", "2026-01-01T02:00:00.000Z"))).toBe(false);
    expect(supersedes(incident("resolved", "2026-01-01T00:00:00.000Z", "2026-01-01T01:00:00.000Z"), incident("open", "2026-01-01T00:00:00.000Z", null))).toBe(false);
  });

  it("lets a terminal status replace a non-terminal one whatever its date", () => {
    expect(supersedes(deploy("in_progress", "2026-01-01T05:00:00.000Z"), deploy("success", "2026-01-01T01:00:00.000Z"))).toBe(true);
  });

  it("replaces a terminal status only with one dated no earlier", () => {
    expect(supersedes(deploy("failure", "2026-01-01T02:00:00.000Z"), deploy("success", "2026-01-01T01:00:00.000Z"))).toBe(false);
    expect(supersedes(deploy("failure", "2026-01-01T02:00:00.000Z"), deploy("success", "2026-01-01T02:00:00.000Z"))).toBe(true);
    expect(supersedes(deploy("failure", "2026-01-01T02:00:00.000Z"), deploy("success", "2026-01-01T03:00:00.000Z"))).toBe(true);
  });

  it("orders non-terminal updates by date", () => {
    expect(supersedes(deploy("in_progress", null), deploy("pending", null))).toBe(true);
    expect(supersedes(incident("open", "2026-01-02T00:00:00.000Z", null), incident("open", "2026-01-01T00:00:00.000Z", null))).toBe(false);
  });
});
