/**
 * Scenario tests of the metrics engine through the real routes: history posted through the
 * vendors' own webhooks (OpsLevel, DevLake, Harness SEI, PagerDuty, DevGrid) and our generic
 * format where an incident names what it follows, then the recompute, then every figure checked
 * against values worked out by hand in the comments.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { createApp } from "../src/app";
import { metricsObject } from "../src/metrics/assemble";
import { windowFigures } from "../src/metrics/figures";
import { recompute } from "../src/metrics/recompute";
import pdResolved from "./fixtures/pagerduty/incident.resolved.json";
import pdTriggered from "./fixtures/pagerduty/incident.triggered.json";
import { ADMIN, BASE, callJson, createIntegration, drain, env, putService, type CreatedIntegration } from "./helpers";
import { hmacHex, postRaw } from "./signing";

const rnd = () => crypto.randomUUID().slice(0, 8);

/** Posts one deploy through OpsLevel's documented webhook. */
async function opslevelDeploy(integrationId: string, d: { id: string; service: string; at: string; sha: string; date?: string; environment?: string; kind?: string }) {
  const body: Record<string, unknown> = {
    dedup_id: d.id,
    service: d.service,
    deployer: { name: "Pam" },
    deployed_at: d.at,
    environment: d.environment ?? "Production",
    description: `deploy ${d.id}`,
    commit: { sha: d.sha, ...(d.date ? { date: d.date } : {}) },
    ...(d.kind ? { kind: d.kind } : {}),
  };
  const res = await callJson("POST", `/integrations/deploy/${integrationId}`, body);
  expect(res.status, res.text).toBe(202);
}

/** Posts one incident as PagerDuty's V3 webhook does: the documented event, signed with the integration's secret. */
async function pagerdutyIncident(pd: CreatedIntegration, e: { key: string; service: string; created: string; resolved?: string }) {
  const body = structuredClone(e.resolved ? pdResolved : pdTriggered);
  body.event.id = crypto.randomUUID();
  body.event.occurred_at = e.resolved ?? e.created;
  body.event.data = { ...body.event.data, id: e.key, created_at: e.created, title: `incident ${e.key}`, service: { ...body.event.data.service, summary: e.service } };
  const text = JSON.stringify(body);
  const res = await postRaw(`/webhooks/pagerduty/${pd.id}`, text, { "x-webhook-id": crypto.randomUUID(), "x-pagerduty-signature": `v1=${await hmacHex(pd.secret, text)}` });
  expect(res.status, res.text).toBe(202);
  expect(res.json).toEqual({ result: "ok" });
}

/** The bearer header of the integrations that take their secret that way. */
const bearer = (integration: CreatedIntegration) => ({ authorization: `Bearer ${integration.secret}` });

/** Posts one incident in our own format, which can name the deployment, change or sha it follows. */
async function genericIncident(
  generic: CreatedIntegration,
  e: { key: string; service: string; created: string; resolved?: string; sha?: string; deployment?: string; change?: string },
) {
  const body = {
    dedup_key: e.key,
    service: e.service,
    title: `incident ${e.key}`,
    created_at: e.created,
    resolved_at: e.resolved ?? null,
    links: { change_id: e.change ?? null, deployment_id: e.deployment ?? null, commit_sha: e.sha ?? null },
  };
  const res = await callJson("POST", `/webhooks/generic/${generic.id}/incidents`, body, bearer(generic));
  expect(res.status, res.text).toBe(202);
  expect(res.json.results.map((r: any) => r.result)).toEqual(["ok"]);
}

async function recomputeNow(full = false) {
  const res = await callJson("POST", `/api/v1/recompute${full ? "?full=true" : ""}`, undefined, ADMIN);
  expect(res.status, res.text).toBe(200);
  expect(res.json.complete).toBe(true);
  return res.json;
}

async function metrics(query: string) {
  const res = await callJson("GET", `/api/v1/metrics?${query}`, undefined, ADMIN);
  expect(res.status, res.text).toBe(200);
  return res.json;
}

const WINDOW = "from=2025-01-06&to=2025-01-20";

/**
 * Two weeks of history, [2025-01-06 Mon, 2025-01-20 Mon): 14 days, ISO weeks W2 (06..12) and W3 (13..19).
 * Service A (production):
 *   A0 01-03 12:00 sha a0                      before the window
 *   A1 01-06 12:00 s1, committed 10:00         lead 7200
 *   A2 01-07 12:00 s2, committed 01-06 12:00   lead 86400; I1 (13:00-15:00, names sha s2) -> failed, recovery 10800
 *   A3 01-08 12:00 s3 FAILED (DevLake)         unsuccessful, not counted
 *   S1 01-08 09:00 s3 to staging               not production
 *   A4 01-09 12:00 s3, no commit date          first seen by a CI run 01-08 06:00 -> lead 108000
 *   A5 01-10 12:00 s4 hotfix, committed 11:00  lead 3600, rework
 *   A6 01-13 12:00 s5, committed 13:00         clock skew: dropped; failed through the rollback after it, recovery 86400
 *   A7 01-14 12:00 s2 again                    rollback (s2 deployed before, not by A6): rework, no lead sample
 *   A8 01-15 12:00 s6, committed 06:00         lead 21600; I2 (01-15 18:00, unresolved) -> failed, unrecovered
 *   A9 01-20 00:00 s7                          exactly at `to`: outside
 * Service B (same team):
 *   B1 01-02 12:00 b1                          before the window
 *   B2 01-16 12:00 b2, committed 00:00         lead 43200
 *   I4 01-12 12:00-13:00: B1 is 10 days old, beyond the 168 h link window -> unlinked; restore 3600
 * Service C (another team): I3 01-10 13:00-14:00 must not link to A5.
 * Posted through: OpsLevel (the A, B and staging deploys), DevLake (A3 and I2), Harness SEI (the CI
 * run), PagerDuty (I3, I4 and the late I5), and the generic format (I1, which names its sha).
 */
describe("metrics over a scenario", () => {
  it("computes every figure of the definitions, and a late incident changes them at the next recompute", async () => {
    const id = rnd();
    const [a, b, c, team] = [`a-${id}`, `b-${id}`, `c-${id}`, `team-${id}`];
    await putService(a, { name: "A", team });
    await putService(b, { name: "B", team });
    await putService(c, { name: "C", team: `other-${id}` });
    const ops = await createIntegration("opslevel");
    const pd = await createIntegration("pagerduty");
    const generic = await createIntegration("generic");
    // One DevLake webhook and one SEI integration per service, as DevLake advises: they name A.
    const devlake = await createIntegration("devlake", { service: a });
    const sei = await createIntegration("harness-sei", { service: a });
    const sha = (s: string) => `${s}-${id}`;

    const deploys = [
      { id: "A0", service: a, at: "2025-01-03 12:00:00", sha: sha("a0"), date: "2025-01-03 08:00:00" },
      { id: "A1", service: a, at: "2025-01-06 12:00:00", sha: sha("s1"), date: "2025-01-06 10:00:00" },
      { id: "A2", service: a, at: "2025-01-07 12:00:00", sha: sha("s2"), date: "2025-01-06 12:00:00" },
      { id: "S1", service: a, at: "2025-01-08 09:00:00", sha: sha("s3"), environment: "Staging" },
      { id: "A4", service: a, at: "2025-01-09 12:00:00", sha: sha("s3") },
      { id: "A5", service: a, at: "2025-01-10 12:00:00", sha: sha("s4"), date: "2025-01-10 11:00:00", kind: "hotfix" },
      { id: "A6", service: a, at: "2025-01-13 12:00:00", sha: sha("s5"), date: "2025-01-13 13:00:00" },
      { id: "A7", service: a, at: "2025-01-14 12:00:00", sha: sha("s2") },
      { id: "A8", service: a, at: "2025-01-15 12:00:00", sha: sha("s6"), date: "2025-01-15 06:00:00" },
      { id: "A9", service: a, at: "2025-01-20 00:00:00", sha: sha("s7"), date: "2025-01-19 00:00:00" },
      { id: "B1", service: b, at: "2025-01-02 12:00:00", sha: sha("b1"), date: "2025-01-02 00:00:00" },
      { id: "B2", service: b, at: "2025-01-16 12:00:00", sha: sha("b2"), date: "2025-01-16 00:00:00" },
    ];
    for (const d of deploys) await opslevelDeploy(ops.id, { ...d, id: `${d.id}-${id}` });
    await drain(ops.id);
    // DevLake reports the failed deploy A3.
    const a3 = {
      pipeline_id: `A3-${id}`,
      environment: "PRODUCTION",
      repo_url: `https://github.com/acme/a-${id}`,
      commit_sha: sha("s3"),
      start_time: "2025-01-08T11:50:00+00:00",
      end_time: "2025-01-08T12:00:00+00:00",
      result: "FAILURE",
    };
    const a3Res = await callJson("POST", `/plugins/webhook/${devlake.id}/deployments`, a3, bearer(devlake));
    expect(a3Res.status, a3Res.text).toBe(200);
    // A Harness SEI CI run that saw s3 first, at its start.
    const ci = {
      pipeline: "build",
      job_full_name: "build-a",
      qualified_name: "build-a",
      instance_name: "Jenkins",
      instance_guid: `jenkins-${id}`,
      execution_id: `ci-${id}`,
      start_time: Date.parse("2025-01-08T06:00:00.000Z"),
      duration: 300000,
      result: "SUCCESS",
      scm_commit_ids: [sha("s3")],
      ci: true,
      cd: false,
    };
    const ciRes = await callJson("POST", "/v1/custom-cicd", ci, bearer(sei));
    expect(ciRes.status, ciRes.text).toBe(202);
    // Incidents. I1 names the sha it follows, which only the generic format can say.
    await genericIncident(generic, { key: `I1-${id}`, service: a, created: "2025-01-07T13:00:00.000Z", resolved: "2025-01-07T15:00:00.000Z", sha: sha("s2") });
    // I2 is a DevLake issue of type INCIDENT, still to do.
    const i2 = { issue_key: `I2-${id}`, title: `incident I2-${id}`, type: "INCIDENT", status: "TODO", created_date: "2025-01-15T18:00:00+00:00" };
    const i2Res = await callJson("POST", `/plugins/webhook/${devlake.id}/issues`, i2, bearer(devlake));
    expect(i2Res.status, i2Res.text).toBe(200);
    await pagerdutyIncident(pd, { key: `I3-${id}`, service: c, created: "2025-01-10T13:00:00.000Z", resolved: "2025-01-10T14:00:00.000Z" });
    await pagerdutyIncident(pd, { key: `I4-${id}`, service: b, created: "2025-01-12T12:00:00.000Z", resolved: "2025-01-12T13:00:00.000Z" });
    for (const integration of [devlake, sei, generic, pd]) await drain(integration.id);

    const summary = await recomputeNow();
    expect(summary.queries).toBeLessThan(1000);

    const ma = await metrics(`service=${a}&${WINDOW}`);
    expect(ma.window).toEqual({ from: "2025-01-06", to: "2025-01-20", days: 14 });
    expect(ma.filters).toEqual({ service: a, team: null, environment: "production" });
    expect(ma.as_of).toBe(summary.as_of);
    // Counted: A1 A2 A4 A5 A6 A7 A8 = 7 over 14 days; A3 failed, A9 at `to`, A0 before, S1 staging.
    // Deploy days: W2 06 07 09 10 = 4, W3 13 14 15 = 3 -> median 3.5; January 7. 2023: >= 1 per week -> high.
    expect(ma.deployment_frequency).toEqual({ count: 7, per_day: 0.5, deploy_days: 7, median_deploy_days_per_week: 3.5, median_deploy_days_per_month: 7, unsuccessful: 1, level: "high" });
    // Samples 3600 7200 21600 86400 108000 (A6 dropped, A7 none): median 21600;
    // p90 at rank 4 * 0.9 = 3.6 -> 86400 + 0.6 * (108000 - 86400) = 99360. Elite (< 1 day).
    expect(ma.change_lead_time).toEqual({ median_seconds: 21600, p90_seconds: 99360, samples: 5, dropped: 1, level: "elite" });
    // Failed: A2 (I1), A6 (rolled back by A7), A8 (I2) = 3 of 7. A5 is not failed by C's incident.
    expect(ma.change_failure_rate).toEqual({ failed: 3, total: 7, rate: 3 / 7, level: "low" });
    // Recovered: A2 10800, A6 86400 -> median 48600, p90 10800 + 0.9 * 75600 = 78840; A8 unrecovered.
    expect(ma.failed_deployment_recovery_time).toEqual({ median_seconds: 48600, p90_seconds: 78840, samples: 2, unrecovered: 1, level: "high" });
    // Resolved in the window: I1 (7200); I2 is open.
    expect(ma.time_to_restore_service).toEqual({ median_seconds: 7200, samples: 1, level: "high" });
    // Rework: A5 hotfix, A7 rollback.
    expect(ma.deployment_rework_rate).toEqual({ rework: 2, total: 7, rate: 2 / 7, level: null });

    // The team (A + B): 8 deployments, deploy days W2 4, W3 13 14 15 16 = 4 -> median 4.
    // Lead 3600 7200 21600 43200 86400 108000 -> median (21600 + 43200) / 2 = 32400, p90 rank 4.5 -> 97200.
    // Restore: I1 7200, I4 3600 (unlinked, but it counts) -> 5400; C's I3 is another team's.
    const before = await metrics(`team=${team}&${WINDOW}&benchmark=2021`);
    expect(before.benchmark).toBe("2021");
    expect(before.deployment_frequency).toMatchObject({ count: 8, per_day: 8 / 14, deploy_days: 8, median_deploy_days_per_week: 4, median_deploy_days_per_month: 8, level: "high" });
    expect(before.change_lead_time).toEqual({ median_seconds: 32400, p90_seconds: 97200, samples: 6, dropped: 1, level: "high" });
    expect(before.change_failure_rate).toEqual({ failed: 3, total: 8, rate: 0.375, level: "low" });
    expect(before.time_to_restore_service).toEqual({ median_seconds: 5400, samples: 2, level: "high" });
    expect(before.deployment_rework_rate).toMatchObject({ rework: 2, total: 8, rate: 0.25 });

    // Links as the incidents API shows them.
    const byKey: Record<string, any> = {};
    for (const integration of [generic, devlake, pd]) {
      const list = await callJson("GET", `/api/v1/incidents?integration=${integration.id}`, undefined, ADMIN);
      for (const item of list.json.items) byKey[item.dedup_key] = item;
    }
    expect(byKey[`I1-${id}`].linked_deployment).toMatchObject({ linked_by: "explicit", service: a, finished_at: "2025-01-07T12:00:00.000Z" });
    expect(byKey[`I2-${id}`].linked_deployment).toMatchObject({ linked_by: "time", finished_at: "2025-01-15T12:00:00.000Z" });
    expect(byKey[`I3-${id}`].linked_deployment).toBeNull();
    expect(byKey[`I4-${id}`].linked_deployment).toBeNull();
    const detail = await callJson("GET", `/api/v1/incidents/${byKey[`I2-${id}`].id}`, undefined, ADMIN);
    expect(detail.json).toMatchObject({ raw: i2, resolved_at: null, linked_deployment: { linked_by: "time" } });

    // A late incident on B2 (01-16 13:00-14:00) arrives: nothing moves until the next recompute.
    await pagerdutyIncident(pd, { key: `I5-${id}`, service: b, created: "2025-01-16T13:00:00.000Z", resolved: "2025-01-16T14:00:00.000Z" });
    await drain(pd.id);
    expect((await metrics(`team=${team}&${WINDOW}`)).change_failure_rate.failed).toBe(3);
    const incremental = await recomputeNow();
    expect(incremental.mode).toBe("incremental");
    expect(incremental.changed_records).toBe(1);
    // Only B's production group is rebuilt.
    expect(incremental.groups_recomputed).toBe(1);
    const after = await metrics(`team=${team}&${WINDOW}`);
    // B2 failed: 4 of 8. Recovery 7200 10800 86400 -> median 10800, p90 rank 1.8 -> 10800 + 0.8 * 75600 = 71280.
    // Restore 3600 3600 7200 -> 3600: exactly one hour is not under one hour, so high, not elite.
    expect(after.change_failure_rate).toEqual({ failed: 4, total: 8, rate: 0.5, level: "low" });
    expect(after.failed_deployment_recovery_time).toEqual({ median_seconds: 10800, p90_seconds: 71280, samples: 3, unrecovered: 1, level: "high" });
    expect(after.time_to_restore_service).toEqual({ median_seconds: 3600, samples: 3, level: "high" });

    // A full recompute gives the same numbers as the incremental one.
    await recomputeNow(true);
    const { as_of: _a, ...afterFull } = await metrics(`team=${team}&${WINDOW}`);
    const { as_of: _b, ...afterIncremental } = after;
    expect(afterFull).toEqual(afterIncremental);

    // Weekly buckets for A: W2 A1 A2 A4 A5 (A2 failed; lead 3600 7200 86400 108000 -> 46800), W3 A6 A7 A8.
    const series = await callJson("GET", `/api/v1/metrics/timeseries?service=${a}&${WINDOW}&granularity=week`, undefined, ADMIN);
    expect(series.status, series.text).toBe(200);
    expect(series.json.buckets.map((x: any) => [x.start, x.end, x.deployment_frequency.count, x.change_failure_rate.failed, x.change_lead_time.median_seconds])).toEqual([
      ["2025-01-06", "2025-01-13", 4, 1, 46800],
      ["2025-01-13", "2025-01-20", 3, 2, 21600],
    ]);
    const days = await callJson("GET", `/api/v1/metrics/timeseries?service=${a}&from=2025-01-13&to=2025-01-16&granularity=day`, undefined, ADMIN);
    expect(days.json.buckets.map((x: any) => [x.start, x.deployment_frequency.count, x.deployment_rework_rate.rework])).toEqual([
      ["2025-01-13", 1, 0],
      ["2025-01-14", 1, 1],
      ["2025-01-15", 1, 0],
    ]);
    // Staging is its own environment: S1 alone, and its sha's CI sighting 01-08 06:00 gives lead 10800.
    const staging = await metrics(`service=${a}&${WINDOW}&environment=stage`);
    expect(staging.filters.environment).toBe("staging");
    expect(staging.deployment_frequency.count).toBe(1);
    expect(staging.change_lead_time).toMatchObject({ median_seconds: 10800, samples: 1 });
  });

  it("links explicitly by deployment id and change id before time, even to a deployment that arrives later", async () => {
    const id = rnd();
    const e = `e-${id}`;
    const ops = await createIntegration("opslevel");
    const generic = await createIntegration("generic");
    const devgrid = await createIntegration("devgrid");
    await opslevelDeploy(ops.id, { id: `E1-${id}`, service: e, at: "2025-05-01 10:00:00", sha: `e1-${id}` });
    await opslevelDeploy(ops.id, { id: `E2-${id}`, service: e, at: "2025-05-02 10:00:00", sha: `e2-${id}` });
    await drain(ops.id);
    // By time this would be E2's; it names E1 by its vendor deployment id.
    await genericIncident(generic, { key: `J1-${id}`, service: e, created: "2025-05-02T12:00:00.000Z", resolved: "2025-05-02T13:00:00.000Z", deployment: `E1-${id}` });
    // Names a change no deployment carries yet, and no deployment precedes it: unlinked for now.
    await genericIncident(generic, { key: `J2-${id}`, service: e, created: "2025-05-01T09:00:00.000Z", change: `CHG-${id}` });
    await drain(generic.id);
    await recomputeNow();
    const window = `service=${e}&from=2025-05-01&to=2025-05-08`;
    // E1 failed through J1 (recovered 2025-05-02 13:00, 97200 s after it); E2 did not.
    expect((await metrics(window)).change_failure_rate).toMatchObject({ failed: 1, total: 2 });
    expect((await metrics(window)).failed_deployment_recovery_time).toMatchObject({ median_seconds: 97200, samples: 1, unrecovered: 0 });

    // The deployment carrying CHG arrives days later, as a DevGrid change.
    const e3 = {
      type: "event-deploy",
      entityId: e,
      timestamp: "2025-05-05T10:00:00.000Z",
      attributes: { env: "production", status: "success", build_commit_sha: `e3-${id}`, change_id: `CHG-${id}`, dedup_id: `E3-${id}` },
    };
    const e3Res = await callJson("POST", "/events", { events: [e3] }, { "x-api-key": devgrid.secret });
    expect(e3Res.status, e3Res.text).toBe(201);
    await drain(devgrid.id);
    await recomputeNow();
    // J2 now links E3 explicitly, though created before it: E3 failed and, J2 being open, unrecovered.
    const after = await metrics(window);
    expect(after.change_failure_rate).toMatchObject({ failed: 2, total: 3 });
    expect(after.failed_deployment_recovery_time).toMatchObject({ samples: 1, unrecovered: 1 });
    const list = await callJson("GET", `/api/v1/incidents?integration=${generic.id}`, undefined, ADMIN);
    const links = Object.fromEntries(list.json.items.map((i: any) => [i.dedup_key, i.linked_deployment?.finished_at ?? null]));
    expect(links).toEqual({ [`J1-${id}`]: "2025-05-01T10:00:00.000Z", [`J2-${id}`]: "2025-05-05T10:00:00.000Z" });
  });

  it("re-attributes past events when a catalog alias appears", async () => {
    const id = rnd();
    const ops = await createIntegration("opslevel");
    await opslevelDeploy(ops.id, { id: `r1-${id}`, service: `Legacy-${id}`, at: "2025-02-03 10:00:00", sha: `r1-${id}`, date: "2025-02-03 09:00:00" });
    await opslevelDeploy(ops.id, { id: `r2-${id}`, service: `legacy-${id}`, at: "2025-02-04 10:00:00", sha: `r2-${id}`, date: "2025-02-04 08:00:00" });
    await drain(ops.id);
    await recomputeNow();
    const window = "from=2025-02-01&to=2025-02-08";
    expect((await metrics(`service=Legacy-${id}&${window}`)).deployment_frequency.count).toBe(1);
    expect((await metrics(`service=new-${id}&${window}`)).deployment_frequency.count).toBe(0);

    await putService(`new-${id}`, { name: "New", aliases: [`legacy-${id}`] });
    const summary = await recomputeNow();
    expect(summary.changed_records).toBe(2);
    // Both deploys now belong to the slug: lead 3600 and 7200 -> median 5400.
    const now = await metrics(`service=new-${id}&${window}`);
    expect(now.deployment_frequency.count).toBe(2);
    expect(now.change_lead_time).toMatchObject({ median_seconds: 5400, samples: 2 });
    expect((await metrics(`service=Legacy-${id}&${window}`)).deployment_frequency.count).toBe(0);
  });

  it("runs the same job from the Cron Trigger, and snapshots agree with on-demand answers", async () => {
    const id = rnd();
    const team = `snap-${id}`;
    await putService(`s-${id}`, { name: "S", team });
    const ops = await createIntegration("opslevel");
    const pd = await createIntegration("pagerduty");
    for (const [n, at, date] of [
      ["1", "2025-03-10 10:00:00", "2025-03-10 09:00:00"],
      ["2", "2025-03-12 10:00:00", "2025-03-11 10:00:00"],
      ["3", "2025-03-14 10:00:00", "2025-03-14 09:30:00"],
    ] as const) {
      await opslevelDeploy(ops.id, { id: `d${n}-${id}`, service: `s-${id}`, at, sha: `x${n}-${id}`, date });
    }
    await drain(ops.id);
    await pagerdutyIncident(pd, { key: `P-${id}`, service: `s-${id}`, created: "2025-03-12T11:00:00.000Z", resolved: "2025-03-12T11:30:00.000Z" });
    await drain(pd.id);

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.parse("2025-03-16T00:00:00.000Z"), cron: "0 0 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    // The 7-day window ending with the run's day: [2025-03-10, 2025-03-17), stored for the team.
    const stored = await env.DB.prepare("SELECT body FROM metric_snapshots WHERE scope = 'team' AND key = ? AND from_day = '2025-03-10' AND to_day = '2025-03-17'")
      .bind(team)
      .first<{ body: string }>();
    expect(stored).not.toBeNull();
    const fromSnapshot = await metrics(`team=${team}&from=2025-03-10&to=2025-03-17`);
    expect(fromSnapshot.as_of).toBe("2025-03-16T00:00:00.000Z");
    const { groups } = await windowFigures(env.DB, { from: "2025-03-10", to: "2025-03-17", environments: ["production"], service: null, team, group: "all" });
    const onDemand = metricsObject(groups.get("*")!, "2025-03-10", "2025-03-17", "2023");
    const { as_of: _x, window: _w, filters: _f, benchmark: _b, ...served } = fromSnapshot;
    expect(served).toEqual(onDemand);
    // And by hand: 3 deploys; lead 3600, 86400, 1800 -> 3600; D2 failed by P, recovered in 5400 s.
    expect(served.deployment_frequency.count).toBe(3);
    expect(served.change_lead_time).toMatchObject({ median_seconds: 3600, samples: 3 });
    expect(served.failed_deployment_recovery_time).toMatchObject({ median_seconds: 5400, samples: 1 });
    // The service's snapshot and a service+team request (never a snapshot) agree too.
    const { as_of: _y, filters: _g, ...byService } = await metrics(`service=s-${id}&from=2025-03-10&to=2025-03-17`);
    const { as_of: _z, filters: _h, ...byBoth } = await metrics(`service=s-${id}&team=${team}&from=2025-03-10&to=2025-03-17`);
    expect(byService).toEqual(byBoth);

    // Teams too are as of the recompute: a move to another team shows after the next one only.
    await putService(`s-${id}`, { name: "S", team: `moved-${id}` });
    expect((await metrics(`team=${team}&from=2025-03-09&to=2025-03-17`)).deployment_frequency.count).toBe(3);
    await recomputeNow();
    expect((await metrics(`team=${team}&from=2025-03-09&to=2025-03-17`)).deployment_frequency.count).toBe(0);
    expect((await metrics(`team=moved-${id}&from=2025-03-09&to=2025-03-17`)).deployment_frequency.count).toBe(3);
  });

  it("resumes a run that ran out of its query budget where it stopped", async () => {
    const id = rnd();
    const ops = await createIntegration("opslevel");
    await opslevelDeploy(ops.id, { id: `q1-${id}`, service: `q-${id}`, at: "2025-04-01 10:00:00", sha: `q1-${id}`, date: "2025-04-01 08:00:00" });
    await opslevelDeploy(ops.id, { id: `q2-${id}`, service: `q-${id}`, at: "2025-04-02 10:00:00", sha: `q1-${id}` });
    await drain(ops.id);
    // A budget of one batch: the run stops before handling the changes, and says so.
    const first = await recompute(env.DB, { linkWindowHours: 168, queryBudget: 1 });
    expect(first.complete).toBe(false);
    expect(first.snapshots).toBe(0);
    // Enough for the changes (1 read, 4 + 12 statements) but not for rebuilding the groups they dirtied.
    const second = await recompute(env.DB, { linkWindowHours: 168, queryBudget: 17 });
    expect(second.complete).toBe(false);
    const dirty = await env.DB.prepare("SELECT count(*) AS n FROM metric_dirty WHERE service = ?").bind(`q-${id}`).first<{ n: number }>();
    expect(dirty!.n).toBeGreaterThan(0);
    await recomputeNow();
    // q1 (lead 7200); q2 redeploys q1's sha right after it: no rollback, no new sample.
    const m = await metrics(`service=q-${id}&from=2025-04-01&to=2025-04-03`);
    expect(m.deployment_frequency.count).toBe(2);
    expect(m.change_lead_time).toMatchObject({ median_seconds: 7200, samples: 1 });
    expect(m.deployment_rework_rate.rework).toBe(0);
  });

  it("buckets by ISO week and calendar month across a year end, in SQL as in the definitions", async () => {
    const id = rnd();
    const ops = await createIntegration("opslevel");
    for (const [n, at] of [["1", "2026-12-31 10:00:00"], ["2", "2027-01-01 10:00:00"], ["3", "2027-01-04 10:00:00"]] as const) {
      await opslevelDeploy(ops.id, { id: `y${n}-${id}`, service: `y-${id}`, at, sha: `y${n}-${id}` });
    }
    await drain(ops.id);
    await recomputeNow();
    const series = async (granularity: string) =>
      (await callJson("GET", `/api/v1/metrics/timeseries?service=y-${id}&from=2026-12-30&to=2027-01-06&granularity=${granularity}`, undefined, ADMIN)).json.buckets.map(
        (b: any) => [b.start, b.end, b.deployment_frequency.count, b.deployment_frequency.median_deploy_days_per_week],
      );
    // 2026-12-31 (Thu) and 2027-01-01 (Fri) are both in ISO week 2026-W53 (Mon 2026-12-28); 2027-01-04 starts W01.
    expect(await series("week")).toEqual([
      ["2026-12-30", "2027-01-04", 2, 2],
      ["2027-01-04", "2027-01-06", 1, 1],
    ]);
    // Months split at the year end; January's part overlaps two ISO weeks with 1 and 1 deploy days.
    expect(await series("month")).toEqual([
      ["2026-12-30", "2027-01-01", 1, 1],
      ["2027-01-01", "2027-01-06", 2, 1],
    ]);
  });

  it("answers CORS only for the configured origins", async () => {
    const app = createApp();
    const request = (origin: string) => new Request(`${BASE}/api/v1/metrics`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "GET" } });
    const configured = { ...env, CORS_ORIGINS: "https://dash.example" };
    const allowed = await app.fetch(request("https://dash.example"), configured, createExecutionContext());
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://dash.example");
    const other = await app.fetch(request("https://evil.example"), configured, createExecutionContext());
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const unset = await app.fetch(request("https://dash.example"), env, createExecutionContext());
    expect(unset.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("rejects bad queries with a named 400 and needs a token", async () => {
    expect((await callJson("GET", "/api/v1/metrics")).status).toBe(401);
    const bad = await callJson("GET", "/api/v1/metrics?from=2025-02-30", undefined, ADMIN);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("from");
    // A month past 12 once escaped the check as a RangeError, and a 503.
    for (const q of ["from=2026-13-45", "to=2026-00-10", "from=2026-02-29"]) {
      const res = await callJson("GET", `/api/v1/metrics?${q}`, undefined, ADMIN);
      expect(res.status, q).toBe(400);
      expect(res.json.errors[0].detail).toMatch(/^(from|to) must be a date YYYY-MM-DD/);
    }
    expect((await callJson("GET", "/api/v1/metrics?from=2025-02-10&to=2025-02-01", undefined, ADMIN)).status).toBe(400);
    expect((await callJson("GET", "/api/v1/metrics?benchmark=2019", undefined, ADMIN)).status).toBe(400);
    expect((await callJson("GET", "/api/v1/metrics/timeseries?granularity=hour", undefined, ADMIN)).status).toBe(400);
    expect((await callJson("GET", "/api/v1/incidents/nope", undefined, ADMIN)).status).toBe(404);
  });
});
