// The dashboard in a real browser: Debian's chromium driven by playwright-core against `wrangler dev`
// with the demo quarter. Screenshots and the measured first paint and bytes go to
// test/browser/artifacts/ (gitignored).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ADMIN_TOKEN, startServer } from "../../bench/lib/server.mjs";
import { seedDemo } from "../../scripts/demo-data.mjs";
import { ARTIFACTS, launch } from "./chromium.mjs";

const axeSource = createRequire(import.meta.url)("axe-core").source;
const CARDS = ["Deployment frequency", "Change lead time", "Change failure rate", "Failed deployment recovery time", "Time to restore service", "Deployment rework rate"];

let server;
let demo;
let context;
let page;
let close;
const requests = [];

before(async () => {
  server = await startServer();
  ({ context, page, close } = await launch());
  context.on("request", (r) => requests.push(r.url()));
});

after(async () => {
  await close?.();
  server?.stop();
});

const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const card = (name) => page.getByRole("region", { name, exact: true });

async function api(path, token = demo.readToken) {
  const res = await fetch(`${server.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, path);
  return res.json();
}

/** The window the page asks for by default: the 30 days ending today (UTC). */
function defaultWindow() {
  const to = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  const from = new Date(Date.parse(to) - 30 * 86400000).toISOString().slice(0, 10);
  return `from=${from}&to=${to}`;
}

async function settled(pattern = "as of|No recompute|Could not") {
  await page.waitForFunction((p) => new RegExp(p).test(document.querySelector("#as-of").textContent), pattern);
}

const pct = (r) => (r * 100).toFixed(1) + "%";

test("a new install teaches: no recompute yet rather than zeros, and how to send a first event", async () => {
  const adminPost = (path, body) =>
    fetch(`${server.base}${path}`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
  const { token } = await adminPost("/api/v1/tokens", { name: "first look" });
  await page.goto(`${server.base}/`);
  assert.match(await page.locator("#notice").textContent(), /Enter a read token/);
  await page.getByLabel("Read token").fill(token);
  await page.getByLabel("Read token").press("Enter");
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByLabel("Admin token").press("Enter");
  await settled();
  for (const name of CARDS) assert.equal((await card(name).locator(".value").textContent()).trim(), "No recompute yet", name);
  await page.locator("#integrations").getByText("No integrations yet").waitFor();
  const first = await adminPost("/api/v1/integrations", { vendor: "generic", name: "first pipeline" });
  await page.reload();
  const howTo = page.getByRole("article", { name: "Integration first pipeline" }).locator("details.first-event");
  await howTo.locator("summary").click();
  assert.ok((await howTo.locator("pre").textContent()).includes(first.urls.deployments));
  await shot("new-install");
  demo = await seedDemo(server.base, ADMIN_TOKEN);
});

test("enters the read token, which stays out of every URL", async () => {
  await page.goto(`${server.base}/`);
  await page.getByLabel("Read token").fill(demo.readToken);
  await page.getByLabel("Read token").press("Enter");
  await settled("Numbers as of");
  assert.ok(!page.url().includes(demo.readToken));
  assert.ok(requests.every((u) => !u.includes(demo.readToken)));
  await shot("overview");
});

test("every card shows the API's numbers, level and counts", async () => {
  const m = await api(`/api/v1/metrics?${defaultWindow()}`);
  const words = { elite: "Elite", high: "High", medium: "Medium", low: "Low" };
  const expectations = {
    "Deployment frequency": [`${m.deployment_frequency.count} deployments`, m.deployment_frequency.level],
    "Change lead time": [`median of ${m.change_lead_time.samples} commits`, m.change_lead_time.level],
    "Change failure rate": [`${m.change_failure_rate.failed} of ${m.change_failure_rate.total} deployments failed`, m.change_failure_rate.level, pct(m.change_failure_rate.rate)],
    "Failed deployment recovery time": [`${m.failed_deployment_recovery_time.samples} recovered deployment`, m.failed_deployment_recovery_time.level],
    "Time to restore service": [`median of ${m.time_to_restore_service.samples} incident`, m.time_to_restore_service.level],
    "Deployment rework rate": [`${m.deployment_rework_rate.rework} of ${m.deployment_rework_rate.total} deployments`, null, pct(m.deployment_rework_rate.rate)],
  };
  for (const name of CARDS) {
    const region = card(name);
    const text = await region.textContent();
    const [counts, level, value] = expectations[name];
    assert.ok(text.includes(counts), `${name}: "${counts}" in "${text}"`);
    assert.ok(text.includes(level ? `Level: ${words[level]}` : "No DORA level"), `${name}: level in "${text}"`);
    if (value) assert.equal((await region.locator(".value").textContent()).trim(), value, name);
    assert.match(text, /vs the previous 30 days|Same as the previous|No previous/, name);
    assert.equal(await region.locator("svg rect").count() > 0, true, `${name} has a trend chart`);
  }
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: join(ARTIFACTS, "dashboard.png") });
});

test("changing a filter changes the numbers and the URL", async () => {
  const before = await card("Deployment frequency").locator(".counts").textContent();
  await page.getByRole("form", { name: "Filters" }).getByLabel("Team").selectOption("payments");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForFunction((old) => document.querySelector("#card-deployment_frequency .counts").textContent !== old, before);
  await settled();
  assert.match(page.url(), /[?&]team=payments/);
  const m = await api(`/api/v1/metrics?team=payments&${defaultWindow()}`);
  assert.ok((await card("Deployment frequency").textContent()).includes(`${m.deployment_frequency.count} deployments`));
  assert.notEqual(await card("Deployment frequency").locator(".counts").textContent(), before);
});

test("drills from change failure rate to the failed deployments and their incidents", async () => {
  await card("Change failure rate").getByRole("button").click();
  const drill = page.getByRole("region", { name: /Change failure rate: the records/ });
  await drill.locator("#drill-summary").filter({ hasText: "shown" }).waitFor();
  const m = await api(`/api/v1/metrics?team=payments&${defaultWindow()}`);
  const records = await api(`/api/v1/metrics/change_failure_rate/records?team=payments&${defaultWindow()}&limit=500`);
  assert.equal(records.items.length, m.change_failure_rate.failed);
  assert.equal(await drill.locator("tbody tr").count(), m.change_failure_rate.failed);
  const withIncident = records.items.find((r) => r.incidents.length > 0);
  assert.ok(withIncident, "some failed deployment has an incident");
  const row = drill.locator("tbody tr", { hasText: withIncident.id });
  assert.ok((await row.textContent()).includes(withIncident.incidents[0].title));
  await shot("drill-change-failure-rate");
});

test("axe finds no serious or critical violations", async () => {
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByLabel("Admin token").press("Enter");
  await page.locator("#admin .integration").first().waitFor();
  await shot("admin");
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
  );
});

test("every control is reachable with the keyboard alone", async () => {
  await page.locator("#drill-close").click();
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
  const controls = await page.evaluate(() =>
    [...document.querySelectorAll("a[href], button, input, select, textarea, summary")]
      .filter((el) => !el.disabled && el.getClientRects().length > 0)
      .map((el, i) => (el.dataset.kbd = String(i))),
  );
  await page.evaluate(() => document.activeElement?.blur());
  await page.locator("body").focus();
  const reached = new Set();
  for (let i = 0; i < controls.length * 2 + 20 && reached.size < controls.length; i++) {
    await page.keyboard.press("Tab");
    const k = await page.evaluate(() => document.activeElement?.dataset?.kbd ?? null);
    if (k !== null) reached.add(k);
  }
  const missed = await page.evaluate((seen) => [...document.querySelectorAll("[data-kbd]")].filter((el) => !seen.includes(el.dataset.kbd)).map((el) => el.outerHTML.slice(0, 120)), [...reached]);
  assert.deepEqual(missed, []);
});

test("posts a bad delivery and finds it in the ledger", async () => {
  const url = demo.integrations.generic.urls.deployments;
  const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${demo.integrations.generic.secret}`, "content-type": "application/json" }, body: JSON.stringify({ service: "checkout", finished_at: "not a time" }) });
  assert.equal(res.status, 400);
  await page.reload();
  const integration = page.getByRole("article", { name: "Integration GitHub Actions (generic)" });
  await integration.getByText("rejected: validation").waitFor();
  assert.match(await integration.locator(".counts-list").textContent(), /[1-9]\d* rejected: validation/);
  const rejections = integration.locator("details", { has: page.locator("summary", { hasText: /rejected deliver/ }) });
  await rejections.locator("summary").click();
  assert.ok((await rejections.locator("tbody").textContent()).includes("validation"));
  await shot("admin-ledger");
});

test("an admin's Recompute now brings a new as_of", async () => {
  const before = await page.locator("#as-of").textContent();
  await new Promise((r) => setTimeout(r, 1100));
  await page.getByRole("button", { name: "Recompute now" }).click();
  await page.waitForFunction((old) => /Numbers as of/.test(document.querySelector("#as-of").textContent) && document.querySelector("#as-of").textContent !== old, before);
});

test("no horizontal scroll at 390 px wide", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await settled();
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  await shot("phone-390");
  await page.screenshot({ path: join(ARTIFACTS, "phone-390-top.png") });
  assert.ok(scroll <= client, `scrollWidth ${scroll} > ${client}`);
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("records first paint and bytes transferred, and no request left the local server", async () => {
  const fresh = await context.newPage();
  const cdp = await context.newCDPSession(fresh);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
  await fresh.goto(`${server.base}/?team=platform`);
  await fresh.waitForFunction(() => /as of/.test(document.querySelector("#as-of").textContent));
  await fresh.waitForLoadState("networkidle");
  const paint = await fresh.evaluate(() => Object.fromEntries(performance.getEntriesByType("paint").map((p) => [p.name, Math.round(p.startTime)])));
  const figures = { first_paint_ms: paint["first-paint"], first_contentful_paint_ms: paint["first-contentful-paint"], bytes_transferred: bytes, requests: requests.length };
  writeFileSync(join(ARTIFACTS, "performance.json"), JSON.stringify(figures, null, 2) + "\n");
  console.log(`measured: ${JSON.stringify(figures)}`);
  await fresh.close();
  assert.ok(bytes < 150 * 1024, `${bytes} bytes`);
  const foreign = requests.filter((u) => !u.startsWith(server.base) && !u.startsWith("data:") && !u.startsWith("about:"));
  assert.deepEqual(foreign, []);
});
