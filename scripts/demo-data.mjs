// A realistic quarter of history for the demo and the browser tests: 8 services in 3 teams, sent
// through the real vendor routes (OpsLevel, DevLake, PagerDuty and the generic format), with failed
// deploys, rollbacks, hotfixes, a deploy freeze, and incidents linked explicitly, by time and not at
// all. Deterministic for a given end date, so a run can be compared with the last.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The catalog: who owns what, and which tool reports its deploys. */
export const DEMO_SERVICES = [
  { slug: "checkout", name: "Checkout", team: "payments", via: "generic", perDay: 1.4, repo: "https://github.com/acme/checkout" },
  { slug: "payments-api", name: "Payments API", team: "payments", via: "generic", perDay: 0.9, repo: "https://github.com/acme/payments-api" },
  { slug: "billing-worker", name: "Billing worker", team: "payments", via: "devlake", perDay: 0.35, repo: "https://github.com/acme/billing-worker" },
  { slug: "gateway", name: "Gateway", team: "platform", via: "opslevel", perDay: 1.1, repo: "https://github.com/acme/gateway", pagerduty: "Gateway" },
  { slug: "auth", name: "Auth", team: "platform", via: "opslevel", perDay: 0.6, repo: "https://github.com/acme/auth", pagerduty: "Auth service" },
  { slug: "search", name: "Search", team: "platform", via: "opslevel", perDay: 0.45, repo: "https://github.com/acme/search", pagerduty: "Search" },
  { slug: "web-frontend", name: "Web frontend", team: "growth", via: "generic", perDay: 1.8, repo: "https://github.com/acme/web-frontend" },
  { slug: "notifications", name: "Notifications", team: "growth", via: "devlake", perDay: 0.25, repo: "https://github.com/acme/notifications" },
];

/** A small seeded generator (mulberry32): the same quarter every run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha = (rnd) => Array.from({ length: 40 }, () => Math.floor(rnd() * 16).toString(16)).join("");
const isoAt = (ms) => new Date(ms).toISOString();

/**
 * The quarter ending at `end` (ms), as plain records: deploys per service in time order, and
 * incidents with how they should link.
 */
export function buildQuarter(end) {
  const rnd = random(20261207);
  const start = Math.floor(end / DAY) * DAY - 91 * DAY;
  // A ten-day freeze in the middle of the quarter: no deploys, so its incidents link to nothing.
  const freeze = [start + 50 * DAY, start + 60 * DAY];
  const deploys = [];
  const incidents = [];
  for (const s of DEMO_SERVICES) {
    const shipped = [];
    let n = 0;
    for (let day = start + DAY; day < end - HOUR * 2; day += DAY) {
      const weekday = new Date(day).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      if (day >= freeze[0] && day < freeze[1]) continue;
      const count = Math.floor(s.perDay) + (rnd() < s.perDay % 1 ? 1 : 0);
      // In time order within the day, so that a rollback goes back to what really ran before it.
      const times = Array.from({ length: count }, () => day + (9 + rnd() * 8) * HOUR).sort((a, b) => a - b);
      for (const at of times) {
        if (at > end - HOUR) continue;
        const commits = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ sha: sha(rnd), committed_at: isoAt(at - (0.5 + rnd() * rnd() * 120) * HOUR) }));
        const failedRun = rnd() < 0.05;
        const id = `${s.slug}-${++n}`;
        deploys.push({ id, service: s.slug, via: s.via, at, status: failedRun ? "failure" : "success", commits, kind: null });
        if (failedRun) continue;
        shipped.push({ id, at, commits });
        const roll = rnd();
        if (roll < 0.05 && shipped.length > 1) {
          // Rolled back within the hour to what ran before (the earlier deploy's sha).
          const back = shipped[shipped.length - 2];
          const rid = `${s.slug}-${++n}`;
          const rat = at + (20 + rnd() * 40) * 60_000;
          deploys.push({ id: rid, service: s.slug, via: s.via, at: rat, status: "success", commits: [back.commits[0]], kind: s.via === "opslevel" ? null : "rollback" });
          shipped.push({ id: rid, at: rat, commits: [back.commits[0]] });
        } else if (roll < 0.14) {
          // An incident follows the deploy; the generic pipelines name the deploy, the others link by time.
          const created = at + (10 + rnd() * 240) * 60_000;
          const resolved = rnd() < 0.06 ? null : created + (15 + rnd() * rnd() * 600) * 60_000;
          incidents.push({ key: `INC-${s.slug}-${n}`, service: s.slug, via: s.via, created, resolved, deployment: s.via === "generic" ? id : null, title: `${s.name}: errors after deploy ${n}` });
          if (s.via === "generic" && resolved !== null && rnd() < 0.5) {
            const hid = `${s.slug}-${++n}`;
            const hat = resolved + (5 + rnd() * 30) * 60_000;
            const hotfix = [{ sha: sha(rnd), committed_at: isoAt(hat - 40 * 60_000) }];
            deploys.push({ id: hid, service: s.slug, via: s.via, at: hat, status: "success", commits: hotfix, kind: "hotfix" });
            shipped.push({ id: hid, at: hat, commits: hotfix });
          }
        }
      }
    }
  }
  // Incidents during the freeze: nothing deployed in the link window before them, so unlinked.
  for (const [service, offset] of [["gateway", 58.3], ["checkout", 59.1], ["notifications", 57.6]]) {
    const created = start + offset * DAY;
    const s = DEMO_SERVICES.find((x) => x.slug === service);
    incidents.push({ key: `INC-${service}-freeze`, service, via: s.via, created, resolved: created + 95 * 60_000, deployment: null, title: `${s.name}: degraded during the freeze` });
  }
  deploys.sort((a, b) => a.at - b.at);
  return { deploys, incidents, start, end };
}

async function post(url, body, headers = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const res = await fetch(url, { method: "POST", body: text, headers: { "content-type": "application/json", ...headers } });
  const reply = await res.text();
  if (res.status >= 300) throw new Error(`POST ${url}: ${res.status} ${reply}`);
  return reply;
}

async function adminCall(base, adminToken, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Runs `tasks` with at most `width` in flight. */
async function pool(tasks, width) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await tasks[next++]();
    }),
  );
}

const pdTemplate = () => JSON.parse(readFileSync(new URL("../test/fixtures/pagerduty/incident.resolved.json", import.meta.url), "utf8"));

/**
 * Creates the integrations and catalog, posts the quarter through the vendor routes, waits until
 * every event is in D1, recomputes, and makes a read token. Returns what a caller needs to show it.
 */
export async function seedDemo(base, adminToken, { end = Date.now(), log = () => {} } = {}) {
  const admin = (method, path, body) => adminCall(base, adminToken, method, path, body);
  const unlimited = { rate_limit: { requests_per_second: 100000, burst: 100000 } };
  for (const s of DEMO_SERVICES) {
    await admin("PUT", `/api/v1/services/${s.slug}`, { name: s.name, team: s.team, aliases: s.pagerduty ? [s.pagerduty] : [], repositories: [s.repo] });
  }
  const generic = await admin("POST", "/api/v1/integrations", { vendor: "generic", name: "GitHub Actions (generic)", ...unlimited });
  const opslevel = await admin("POST", "/api/v1/integrations", { vendor: "opslevel", name: "OpsLevel deploys", ...unlimited });
  const pagerduty = await admin("POST", "/api/v1/integrations", { vendor: "pagerduty", name: "PagerDuty", ...unlimited });
  const devlake = {};
  for (const s of DEMO_SERVICES.filter((x) => x.via === "devlake")) {
    devlake[s.slug] = await admin("POST", "/api/v1/integrations", { vendor: "devlake", name: `DevLake ${s.name}`, service: s.slug, ...unlimited });
  }
  const q = buildQuarter(end);
  log(`posting ${q.deploys.length} deploys and ${q.incidents.length} incidents`);
  const bearer = (i) => ({ authorization: `Bearer ${i.secret}` });
  const genericDeploy = (d) => ({
    dedup_key: d.id,
    service: d.service,
    environment: "production",
    status: d.status,
    kind: d.kind,
    finished_at: isoAt(d.at),
    started_at: isoAt(d.at - 6 * 60_000),
    deployer: { name: "ci-bot" },
    commits: d.commits.map((c) => ({ sha: c.sha, committed_at: c.committed_at, branch: "main" })),
  });
  const tasks = [];
  // The generic pipelines post in batches, the way a backfill would; the rest one delivery each.
  const genericDeploys = q.deploys.filter((d) => d.via === "generic");
  for (let i = 0; i < genericDeploys.length; i += 100) {
    const items = genericDeploys.slice(i, i + 100).map(genericDeploy);
    tasks.push(() => post(generic.urls.deployments, { items }, bearer(generic)));
  }
  // A pipeline nobody put in the catalog yet: its name shows up among the unknown services.
  tasks.push(() => post(generic.urls.deployments, { dedup_key: "legacy-1", service: "legacy-cron", finished_at: isoAt(end - 3 * DAY), commit_sha: "feedface" }, bearer(generic)));
  for (const d of q.deploys.filter((x) => x.via === "opslevel")) {
    const c = d.commits[0];
    tasks.push(() =>
      post(opslevel.urls.deploy, { dedup_id: d.id, service: d.service, deployer: { name: "deploy-bot" }, deployed_at: isoAt(d.at), environment: "Production", description: `deploy ${d.id}`, commit: { sha: c.sha, date: c.committed_at } }),
    );
  }
  for (const d of q.deploys.filter((x) => x.via === "devlake")) {
    const i = devlake[d.service];
    const commits = d.commits.map((c) => ({ repo_url: DEMO_SERVICES.find((s) => s.slug === d.service).repo, commit_sha: c.sha }));
    const at = (ms) => isoAt(ms).replace(".000Z", "+00:00");
    // Staging first: the first sighting of each commit is what DevLake's lead time comes from.
    const staging = { id: `${d.id}-stg`, environment: "STAGING", create_time: at(d.at - 3 * HOUR), start_time: at(d.at - 3 * HOUR), end_time: at(d.at - 2.8 * HOUR), result: "SUCCESS", deploymentCommits: commits };
    const prod = { id: d.id, environment: "PRODUCTION", create_time: at(d.at - 10 * 60_000), start_time: at(d.at - 10 * 60_000), end_time: at(d.at), result: d.status === "success" ? "SUCCESS" : "FAILURE", deploymentCommits: commits };
    tasks.push(async () => {
      await post(i.urls.deployments, staging, bearer(i));
      await post(i.urls.deployments, prod, bearer(i));
    });
  }
  const template = pdTemplate();
  for (const inc of q.incidents) {
    const s = DEMO_SERVICES.find((x) => x.slug === inc.service);
    if (inc.via === "generic") {
      tasks.push(() =>
        post(
          generic.urls.incidents,
          { dedup_key: inc.key, service: inc.service, title: inc.title, created_at: isoAt(inc.created), resolved_at: inc.resolved === null ? null : isoAt(inc.resolved), links: { deployment_id: inc.deployment } },
          bearer(generic),
        ),
      );
    } else if (inc.via === "devlake") {
      const i = devlake[inc.service];
      const done = inc.resolved !== null;
      tasks.push(() =>
        post(
          i.urls.issues,
          { issue_key: inc.key, title: inc.title, type: "INCIDENT", status: done ? "DONE" : "IN_PROGRESS", created_date: isoAt(inc.created), updated_date: isoAt(inc.resolved ?? inc.created), ...(done ? { resolution_date: isoAt(inc.resolved) } : {}) },
          bearer(i),
        ),
      );
    } else {
      const body = structuredClone(template);
      const resolved = inc.resolved !== null;
      body.event.id = randomUUID();
      body.event.event_type = resolved ? "incident.resolved" : "incident.triggered";
      body.event.occurred_at = isoAt(inc.resolved ?? inc.created);
      body.event.data = { ...body.event.data, id: inc.key, status: resolved ? "resolved" : "triggered", created_at: isoAt(inc.created), title: inc.title, service: { ...body.event.data.service, summary: s.pagerduty } };
      const text = JSON.stringify(body);
      const signature = createHmac("sha256", pagerduty.secret).update(text).digest("hex");
      tasks.push(() => post(pagerduty.urls.webhook, text, { "x-webhook-id": randomUUID(), "x-pagerduty-signature": `v1=${signature}` }));
    }
  }
  await pool(tasks, 6);

  // The drain is asynchronous: wait until D1 holds every deployment and incident that was sent.
  const expected = { deployments: q.deploys.length + q.deploys.filter((d) => d.via === "devlake").length + 1, incidents: q.incidents.length };
  const count = async (path) => {
    let n = 0;
    let cursor = null;
    do {
      const page = await admin("GET", `${path}?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
      n += page.items.length;
      cursor = page.next_cursor;
    } while (cursor);
    return n;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [deployments, incidents] = [await count("/api/v1/deployments"), await count("/api/v1/incidents")];
    if (deployments >= expected.deployments && incidents >= expected.incidents) break;
    if (Date.now() > deadline) throw new Error(`the drain did not finish: ${deployments}/${expected.deployments} deployments, ${incidents}/${expected.incidents} incidents`);
    await new Promise((r) => setTimeout(r, 300));
  }
  let summary;
  do summary = await admin("POST", "/api/v1/recompute");
  while (!summary.complete);
  const { token } = await admin("POST", "/api/v1/tokens", { name: "demo dashboard" });
  return { readToken: token, integrations: { generic, opslevel, pagerduty, devlake }, quarter: q, summary };
}
