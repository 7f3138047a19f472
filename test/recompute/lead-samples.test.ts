/**
 * Lead samples: counted deployments and their commits in, one sample row per (deployment, sha) out.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { rangeLeadSamples, stepLeadSamples } from "../../src/metrics/recompute/lead-samples";
import { clearDerived, derivedDeployments, deploymentEvents, env, insert, prefix, rows } from "./rows";

// Each test starts from empty derived tables: a phase over the whole history sees every row there.
beforeEach(clearDerived);

/** Two groups of one service: commits timed by their own date, by another deployment's, by a CI run, or repeated. */
async function history(p: string) {
  const svc = `${p}-svc`;
  const deployed = [
    { id: `${p}-d1`, environment: "production", at: "2025-06-01T10:00:00.000Z", counted: 1, commits: [{ sha: `${p}-A`, committed_at: "2025-06-01T08:00:00.000Z" }] },
    {
      id: `${p}-d2`,
      environment: "production",
      at: "2025-06-02T10:00:00.000Z",
      counted: 1,
      commits: [{ sha: `${p}-A` }, { sha: `${p}-B`, authored_at: "2025-06-01T22:00:00.000Z" }],
    },
    // Deployed to staging before the date d2 gives it: clock skew, a negative sample.
    { id: `${p}-d3`, environment: "staging", at: "2025-06-01T12:00:00.000Z", counted: 1, commits: [{ sha: `${p}-B` }] },
    // A failed deployment has no sample, but its commit's date times C's next deployment.
    { id: `${p}-d4`, environment: "production", at: "2025-06-03T10:00:00.000Z", counted: 0, commits: [{ sha: `${p}-C`, committed_at: "2025-06-02T10:00:00.000Z" }] },
    { id: `${p}-d5`, environment: "production", at: "2025-06-04T10:00:00.000Z", counted: 1, commits: [{ sha: `${p}-C` }] },
    // D has no date at all: a CI run of the service saw it first.
    { id: `${p}-d6`, environment: "production", at: "2025-06-05T00:00:00.000Z", counted: 1, commits: [{ sha: `${p}-D` }] },
  ];
  await deploymentEvents(deployed.map((d) => ({ ...d, service: svc })));
  await derivedDeployments(deployed.map((d) => ({ id: d.id, service: svc, environment: d.environment, at: d.at, day: d.at.slice(0, 10), counted: d.counted })),
  );
  await insert("ci_runs", [
    { id: `${p}-ci`, integration_id: "phase-test", dedup_key: `${p}-ci`, seq: 0, last_seq: 0, service: svc, service_name: svc, status: "success", started_at: "2025-06-04T12:00:00.000Z", received_at: "2025-06-04T12:00:00.000Z", raw: "{}" },
  ]);
  await insert("ci_run_commits", [{ ci_run_id: `${p}-ci`, sha: `${p}-D` }]);
  return svc;
}

const expected = (p: string) => [
  { deployment_id: `${p}-d1`, sha: `${p}-A`, environment: "production", day: "2025-06-01", repeated: 0, seconds: 7200 },
  { deployment_id: `${p}-d2`, sha: `${p}-A`, environment: "production", day: "2025-06-02", repeated: 1, seconds: null },
  { deployment_id: `${p}-d2`, sha: `${p}-B`, environment: "production", day: "2025-06-02", repeated: 0, seconds: 43200 },
  { deployment_id: `${p}-d3`, sha: `${p}-B`, environment: "staging", day: "2025-06-01", repeated: 0, seconds: -36000 },
  { deployment_id: `${p}-d5`, sha: `${p}-C`, environment: "production", day: "2025-06-04", repeated: 0, seconds: 172800 },
  { deployment_id: `${p}-d6`, sha: `${p}-D`, environment: "production", day: "2025-06-05", repeated: 0, seconds: 43200 },
];

const SAMPLES = "SELECT deployment_id, sha, environment, day, repeated, seconds FROM metric_lead_samples WHERE service LIKE ? ORDER BY deployment_id, sha";

describe("lead samples", () => {
  it("of a step replace its groups' samples from their first dirty day on", async () => {
    const p = prefix("lead");
    const svc = await history(p);
    await insert("metric_lead_samples", [
      { deployment_id: `${p}-d1`, sha: `${p}-stale`, service: svc, environment: "production", day: "2025-06-01", repeated: 0, seconds: 1 },
      { deployment_id: `${p}-d0`, sha: `${p}-old`, service: svc, environment: "production", day: "2025-05-01", repeated: 0, seconds: 5 },
    ]);
    await insert(
      "metric_work",
      ["production", "staging"].map((environment) => ({ service: svc, environment, from_at: "2025-06-01T00:00:00.000Z", prev_at: "2025-06-01T00:00:00.000Z" })),
    );

    await env.DB.batch(stepLeadSamples(env.DB));

    expect(await rows(SAMPLES, p)).toEqual([
      { deployment_id: `${p}-d0`, sha: `${p}-old`, environment: "production", day: "2025-05-01", repeated: 0, seconds: 5 },
      ...expected(p),
    ]);
  });

  it("of every range of ids are the same rows", async () => {
    const p = prefix("lead-all");
    await history(p);
    await env.DB.batch([rangeLeadSamples(env.DB, "", `${p}-d1`), rangeLeadSamples(env.DB, `${p}-d1`, `${p}-d9`)]);
    expect(await rows(SAMPLES, p)).toEqual(expected(p));
  });

  it("of a range give one sample to a sha that only one deployment names, in two repositories, timed by the earlier date", async () => {
    const p = prefix("lead-repos");
    const svc = `${p}-svc`;
    const at = "2025-06-01T10:00:00.000Z";
    await deploymentEvents([{ id: `${p}-d1`, service: svc, at }]);
    await derivedDeployments([{ id: `${p}-d1`, service: svc, environment: "production", at, day: "2025-06-01", counted: 1 }]);
    await insert(
      "deployment_commits",
      [
        { repository: "one", committed_at: "2025-06-01T09:00:00.000Z" },
        { repository: "two", committed_at: "2025-06-01T08:00:00.000Z" },
      ].map((c) => ({ deployment_id: `${p}-d1`, sha: `${p}-X`, ...c })),
    );

    await rangeLeadSamples(env.DB, "", `${p}-d9`).run();

    expect(await rows(SAMPLES, p)).toEqual([{ deployment_id: `${p}-d1`, sha: `${p}-X`, environment: "production", day: "2025-06-01", repeated: 0, seconds: 7200 }]);
  });
});
