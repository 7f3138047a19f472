// The interactive API reference at /docs in a real browser: Debian's chromium driven by
// playwright-core against `wrangler dev`, offline (every request that would leave the local server
// is aborted and recorded). It finds every tag of the document and runs one "Try it out" request.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { admin, startServer } from "../../bench/lib/server.mjs";
import { ARTIFACTS, launch } from "./chromium.mjs";

let server;
let context;
let page;
let close;
const outside = [];

before(async () => {
  server = await startServer();
  ({ context, page, close } = await launch());
  // Offline: anything not served by the local Worker is refused, and noted.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(server.base) || url.startsWith("data:")) return route.continue();
    outside.push(url);
    return route.abort();
  });
});

after(async () => {
  await close?.();
  server?.stop();
});

test("/docs shows every tag of /openapi.json and runs GET /api/v1/metrics with a read token, offline", async () => {
  const { token } = await admin(server.base, "POST", "/api/v1/tokens", { name: "docs" });
  const doc = await (await fetch(`${server.base}/openapi.json`)).json();

  await page.goto(`${server.base}/docs`);
  await page.locator(".opblock-tag").first().waitFor();
  const tags = await page.locator(".opblock-tag").evaluateAll((els) => els.map((e) => e.dataset.tag));
  assert.deepEqual(tags, doc.tags.map((t) => t.name));
  await page.screenshot({ path: join(ARTIFACTS, "docs-tags.png") });

  await page.click(".btn.authorize");
  const box = page.locator(".auth-container", { hasText: "readBearer" });
  await box.locator("input").fill(token);
  await box.locator("button.authorize").click();
  await page.click(".btn-done");

  const op = page.locator(".opblock-get", { has: page.locator('.opblock-summary-path[data-path="/api/v1/metrics"]') });
  await op.locator(".opblock-summary-control").click();
  const sent = page.waitForRequest((r) => new URL(r.url()).pathname === "/api/v1/metrics");
  await op.locator(".execute").click();
  assert.equal((await sent).headers().authorization, `Bearer ${token}`);
  const status = op.locator(".live-responses-table tbody .response-col_status");
  await status.waitFor();
  assert.equal((await status.textContent()).trim(), "200");
  await page.screenshot({ path: join(ARTIFACTS, "docs-try-it.png") });

  assert.deepEqual(outside, [], "no request left the local server");
});
