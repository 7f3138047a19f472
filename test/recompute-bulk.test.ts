/**
 * A full rebuild derives everything a chunk of services at a time, each over its whole history, while
 * a normal run rebuilds dirty groups step by step from their first dirty day. Both must give the same
 * rows, and so must a rebuild in chunks of any size, stopped and resumed anywhere. The events are written as the outbox drain writes them, changes feed included, with every
 * case of lead time and rework the definitions name.
 */
import { describe, expect, it } from "vitest";
import { recompute } from "../src/metrics/recompute";
import { env } from "./helpers";

const HOURS = 168;

interface Deploy {
  id: string;
  service: string;
  /** The name the event gave, when it is not the service it was written with. */
  name?: string;
  env: string;
  at: string;
  status?: string;
  kind?: string;
  changeId?: string;
  commits: { sha: string; repository?: string; committed?: string; authored?: string }[];
}

function deploymentRows(d1: D1Database, deploys: Deploy[]): D1PreparedStatement[] {
  return deploys.flatMap((d, i) => [
    d1
      .prepare(
        `INSERT INTO deployments (id, integration_id, dedup_key, seq, last_seq, service, service_name, environment, status, kind, finished_at, occurred_at, received_at, change_id, raw)
         VALUES (?, 'bulk-test', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')`,
      )
      .bind(d.id, d.id, i, i, d.service, d.name ?? d.service, d.env, d.status ?? "success", d.kind ?? null, d.at, d.at, d.at, d.changeId ?? null),
    ...d.commits.map((c) =>
      d1
        .prepare("INSERT INTO deployment_commits (deployment_id, sha, repository, committed_at, authored_at) VALUES (?, ?, ?, ?, ?)")
        .bind(d.id, c.sha, c.repository ?? "", c.committed ?? null, c.authored ?? null),
    ),
    d1.prepare("INSERT INTO metric_changes (kind, id) VALUES ('deployment', ?)").bind(d.id),
  ]);
}

/** Every derived row of the services, in a stable order. */
async function derived(prefix: string) {
  const like = `${prefix}%`;
  const all = async (sql: string) => (await env.DB.prepare(sql).bind(like).all()).results;
  return {
    deployments: await all(
      "SELECT id, service, environment, at, day, counted, kind, rollback, rework, failed, recovered_at, recovery_seconds FROM metric_deployments WHERE service LIKE ? ORDER BY id",
    ),
    samples: await all("SELECT deployment_id, sha, service, environment, day, repeated, seconds FROM metric_lead_samples WHERE service LIKE ? ORDER BY deployment_id, sha"),
    incidents: await all("SELECT id, deployment_id, linked_by FROM metric_incidents WHERE service LIKE ? ORDER BY id"),
    days: await all("SELECT * FROM metric_days WHERE service LIKE ? ORDER BY service, environment, day"),
  };
}

/**
 * A full rebuild as the Cron goes on with it: asked for once, then run again until a run completes.
 * Says how many runs it took.
 */
async function rebuildAcrossRuns(options: { rowsPerChunk: number; queryBudget?: number }): Promise<number> {
  let summary = await recompute(env.DB, { full: true, linkWindowHours: HOURS, ...options });
  let runs = 1;
  while (!summary.complete && runs < 1000) {
    summary = await recompute(env.DB, { linkWindowHours: HOURS, ...options });
    runs += 1;
  }
  expect(summary.complete).toBe(true);
  return runs;
}

describe("the full rebuild", () => {
  it("derives the same rows as the incremental steps", async () => {
    const p = `bulk-${crypto.randomUUID().slice(0, 8)}`;
    const [s1, s2] = [`${p}-a`, `${p}-b`];
    const sha = (name: string) => `${p}-${name}`;
    const deploys: Deploy[] = [
      { id: `${p}-d01`, service: s1, env: "production", at: "2025-03-01T10:00:00.000Z", changeId: `${p}-chg`, commits: [{ sha: sha("A"), committed: "2025-03-01T08:00:00.000Z" }, { sha: sha("B") }] },
      // B's only date is an authored one, on another environment's deployment.
      { id: `${p}-d02`, service: s1, env: "staging", at: "2025-03-01T09:00:00.000Z", commits: [{ sha: sha("B"), authored: "2025-02-28T00:00:00.000Z" }] },
      // A again, just after the deployment that had it: repeated, not a rollback.
      { id: `${p}-d03`, service: s1, env: "production", at: "2025-03-02T10:00:00.000Z", commits: [{ sha: sha("A") }] },
      // C has no date: a CI run saw it first, before staging did.
      { id: `${p}-d04`, service: s1, env: "production", at: "2025-03-03T00:00:00.000Z", commits: [{ sha: sha("C") }] },
      { id: `${p}-d05`, service: s1, env: "staging", at: "2025-03-02T13:00:00.000Z", commits: [{ sha: sha("C") }] },
      // A once more, after a deployment without it: a rollback, and d04 failed through it.
      { id: `${p}-d06`, service: s1, env: "production", at: "2025-03-04T00:00:00.000Z", commits: [{ sha: sha("A") }] },
      // The same sha in another service is that service's own: timed by its other environment.
      { id: `${p}-d07`, service: s2, env: "production", at: "2025-03-01T00:00:00.000Z", commits: [{ sha: sha("A") }] },
      { id: `${p}-d08`, service: s2, env: "staging", at: "2025-03-05T00:00:00.000Z", commits: [{ sha: sha("A") }] },
      // D's date comes from a failed deployment, which counts for nothing else.
      { id: `${p}-d09`, service: s1, env: "production", at: "2025-03-04T12:00:00.000Z", status: "failure", commits: [{ sha: sha("D"), committed: "2025-03-04T00:00:00.000Z" }] },
      { id: `${p}-d10`, service: s1, env: "production", at: "2025-03-05T00:00:00.000Z", commits: [{ sha: sha("D") }] },
      // E in two repositories of one deployment is one sample, timed by the earlier date; a second
      // deployment at the same time repeats it (ties go by id).
      {
        id: `${p}-d11`,
        service: s1,
        env: "production",
        at: "2025-03-06T00:00:00.000Z",
        commits: [
          { sha: sha("E"), repository: "one", committed: "2025-03-05T23:00:00.000Z" },
          { sha: sha("E"), repository: "two", committed: "2025-03-05T22:00:00.000Z" },
        ],
      },
      { id: `${p}-d12`, service: s1, env: "production", at: "2025-03-06T00:00:00.000Z", kind: "hotfix", commits: [{ sha: sha("E") }] },
      // F's date is on a deployment still in progress, which the metrics never see.
      { id: `${p}-d13`, service: s1, env: "production", at: "2025-03-06T12:00:00.000Z", status: "in_progress", commits: [{ sha: sha("F"), committed: "2025-03-01T00:00:00.000Z" }] },
      { id: `${p}-d14`, service: s1, env: "production", at: "2025-03-07T00:00:00.000Z", commits: [{ sha: sha("F") }, { sha: sha("G"), committed: "2025-03-07T01:00:00.000Z" }] },
      // H is deployed once, and seen before by the CI run.
      { id: `${p}-d15`, service: s1, env: "production", at: "2025-03-08T00:00:00.000Z", commits: [{ sha: sha("H") }] },
      // I has two authored dates and J two committed ones: the earlier one counts.
      {
        id: `${p}-d16`,
        service: s1,
        env: "production",
        at: "2025-03-09T00:00:00.000Z",
        commits: [{ sha: sha("I"), authored: "2025-03-07T00:00:00.000Z" }, { sha: sha("J"), committed: "2025-03-08T00:00:00.000Z" }],
      },
      {
        id: `${p}-d17`,
        service: s1,
        env: "staging",
        at: "2025-03-09T06:00:00.000Z",
        commits: [{ sha: sha("I"), authored: "2025-03-06T00:00:00.000Z" }, { sha: sha("J"), committed: "2025-03-07T00:00:00.000Z" }],
      },
    ];

    await recompute(env.DB, { full: true, linkWindowHours: HOURS });
    await env.DB.batch([
      ...deploymentRows(env.DB, deploys),
      env.DB.prepare(
        `INSERT INTO ci_runs (id, integration_id, dedup_key, seq, last_seq, service, service_name, status, started_at, received_at, raw)
         VALUES (?, 'bulk-test', ?, 0, 0, ?, ?, 'success', '2025-03-02T12:00:00.000Z', '2025-03-02T12:00:00.000Z', '{}')`,
      ).bind(`${p}-ci`, `${p}-ci`, s1, s1),
      ...["C", "H"].map((name) => env.DB.prepare("INSERT INTO ci_run_commits (ci_run_id, sha) VALUES (?, ?)").bind(`${p}-ci`, sha(name))),
      env.DB.prepare("INSERT INTO metric_changes (kind, id) VALUES ('ci_run', ?)").bind(`${p}-ci`),
      ...[
        [`${p}-i1`, s1, "2025-03-06T06:00:00.000Z", "2025-03-06T07:00:00.000Z", null],
        [`${p}-i2`, s1, "2025-03-05T06:00:00.000Z", null, `${p}-chg`],
        [`${p}-i3`, s2, "2025-03-02T00:00:00.000Z", null, null],
      ].flatMap(([id, service, created, resolved, change]) => [
        env.DB.prepare(
          `INSERT INTO incidents (id, integration_id, dedup_key, seq, last_seq, service, service_name, environment, status, counted, created_at, resolved_at, received_at, link_change_id, raw)
           VALUES (?, 'bulk-test', ?, 0, 0, ?, ?, 'production', 'triggered', 1, ?, ?, ?, ?, '{}')`,
        ).bind(id, id, service, service, created, resolved, created, change),
        env.DB.prepare("INSERT INTO metric_changes (kind, id) VALUES ('incident', ?)").bind(id),
      ]),
    ]);

    expect((await recompute(env.DB, { linkWindowHours: HOURS })).mode).toBe("incremental");
    const stepwise = await derived(p);
    expect((await recompute(env.DB, { full: true, linkWindowHours: HOURS })).mode).toBe("full");
    expect(await derived(p)).toEqual(stepwise);
    // In chunks of one service and of a few, and stopped every few chunks and resumed.
    for (const rowsPerChunk of [1, 4]) {
      await rebuildAcrossRuns({ rowsPerChunk });
      expect(await derived(p)).toEqual(stepwise);
    }
    expect(await rebuildAcrossRuns({ rowsPerChunk: 2, queryBudget: 30 })).toBeGreaterThan(2);
    expect(await derived(p)).toEqual(stepwise);

    // The cases above are really there.
    const sample = (d: string, s: string) => stepwise.samples.find((x) => x.deployment_id === `${p}-${d}` && x.sha === sha(s));
    expect(sample("d01", "B")).toMatchObject({ repeated: 0, seconds: 122400 });
    expect(sample("d03", "A")).toMatchObject({ repeated: 1, seconds: null });
    expect(sample("d04", "C")).toMatchObject({ repeated: 0, seconds: 43200 });
    expect(sample("d05", "C")).toMatchObject({ repeated: 0, seconds: 3600 });
    expect(sample("d07", "A")).toMatchObject({ repeated: 0, seconds: -345600 });
    expect(sample("d08", "A")).toMatchObject({ repeated: 0, seconds: 345600 });
    expect(sample("d10", "D")).toMatchObject({ repeated: 0, seconds: 86400 });
    expect(sample("d11", "E")).toMatchObject({ repeated: 0, seconds: 7200 });
    expect(sample("d12", "E")).toMatchObject({ repeated: 1, seconds: null });
    expect(sample("d14", "F")).toMatchObject({ repeated: 0, seconds: null });
    expect(sample("d15", "H")).toMatchObject({ repeated: 0, seconds: 475200 });
    expect(sample("d16", "I")).toMatchObject({ repeated: 0, seconds: 259200 });
    expect(sample("d16", "J")).toMatchObject({ repeated: 0, seconds: 172800 });
    expect(stepwise.samples.filter((x) => x.deployment_id === `${p}-d11`)).toHaveLength(1);
    const flags = (d: string) => stepwise.deployments.find((x) => x.id === `${p}-${d}`);
    expect(flags("d06")).toMatchObject({ rollback: 1, rework: 1 });
    expect(flags("d03")).toMatchObject({ rollback: 0, rework: 0 });
    expect(flags("d12")).toMatchObject({ rollback: 0, rework: 1 });
    expect(flags("d04")).toMatchObject({ failed: 1, recovered_at: "2025-03-04T00:00:00.000Z" });
    expect(stepwise.incidents).toEqual([
      { id: `${p}-i1`, deployment_id: `${p}-d12`, linked_by: "time" },
      { id: `${p}-i2`, deployment_id: `${p}-d01`, linked_by: "explicit" },
      { id: `${p}-i3`, deployment_id: `${p}-d07`, linked_by: "time" },
    ]);

    // Links move: i1 moves out of every deployment's window, the change id i2 names goes away, and
    // the only deployment i3 could link to turns out to have failed.
    await env.DB.batch([
      env.DB.prepare("UPDATE incidents SET created_at = '2025-03-30T00:00:00.000Z' WHERE id = ?").bind(`${p}-i1`),
      env.DB.prepare("UPDATE deployments SET change_id = NULL WHERE id = ?").bind(`${p}-d01`),
      env.DB.prepare("UPDATE deployments SET status = 'failure' WHERE id = ?").bind(`${p}-d07`),
      env.DB.prepare("INSERT INTO metric_changes (kind, id) VALUES ('incident', ?), ('deployment', ?), ('deployment', ?)").bind(`${p}-i1`, `${p}-d01`, `${p}-d07`),
    ]);
    await recompute(env.DB, { linkWindowHours: HOURS });
    const relinked = await derived(p);
    expect(relinked.incidents).toEqual([
      { id: `${p}-i1`, deployment_id: null, linked_by: null },
      { id: `${p}-i2`, deployment_id: `${p}-d10`, linked_by: "time" },
      { id: `${p}-i3`, deployment_id: null, linked_by: null },
    ]);
    expect(relinked.deployments.find((x) => x.id === `${p}-d12`)).toMatchObject({ failed: 0 });
    await recompute(env.DB, { full: true, linkWindowHours: HOURS });
    expect(await derived(p)).toEqual(relinked);
  });

  it("puts the deployments of a service the catalog moved where the catalog says, whatever order it reads them in", async () => {
    const p = `bulk-${crypto.randomUUID().slice(0, 8)}`;
    // Written as two services, one sorting before the slug they now both belong to and one after it.
    const [before, after, slug] = [`${p}-a`, `${p}-z`, `${p}-m`];
    const at = (day: number) => `2025-04-0${day}T10:00:00.000Z`;
    const deploys: Deploy[] = [
      { id: `${p}-d1`, service: before, name: `${before}-name`, env: "production", at: at(1), commits: [{ sha: `${p}-A`, committed: "2025-03-31T10:00:00.000Z" }] },
      { id: `${p}-d2`, service: after, name: `${after}-name`, env: "production", at: at(2), commits: [{ sha: `${p}-B`, committed: "2025-04-01T10:00:00.000Z" }] },
      // A again after B, so a rollback only within the slug both now belong to.
      { id: `${p}-d3`, service: before, name: `${before}-name`, env: "production", at: at(3), commits: [{ sha: `${p}-A` }] },
    ];
    await recompute(env.DB, { full: true, linkWindowHours: HOURS });
    await env.DB.batch([
      ...deploymentRows(env.DB, deploys),
      env.DB.prepare("INSERT INTO services (slug, name, created_at, updated_at) VALUES (?, ?, ?, ?)").bind(slug, slug, at(1), at(1)),
      env.DB.prepare("INSERT INTO service_aliases (alias, slug) VALUES (?, ?), (?, ?)").bind(`${before}-name`, slug, `${after}-name`, slug),
    ]);

    await recompute(env.DB, { linkWindowHours: HOURS });
    const stepwise = await derived(p);
    await recompute(env.DB, { full: true, linkWindowHours: HOURS });
    expect(await derived(p)).toEqual(stepwise);
    // The copy and the derivation chunk different names: the one a deployment was written with, and its slug.
    expect(await rebuildAcrossRuns({ rowsPerChunk: 1, queryBudget: 40 })).toBeGreaterThan(1);
    expect(await derived(p)).toEqual(stepwise);

    expect(stepwise.deployments.map((d) => [d.id, d.service, d.rollback, d.failed])).toEqual([
      [`${p}-d1`, slug, 0, 0],
      [`${p}-d2`, slug, 0, 1],
      [`${p}-d3`, slug, 1, 0],
    ]);
    expect(stepwise.days.map((d) => [d.service, d.day, d.deployments])).toEqual([1, 2, 3].map((day) => [slug, at(day).slice(0, 10), 1]));
  });
});
