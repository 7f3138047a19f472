// One run of the figures code under Node, for `figures-heap.mjs`: `node figures-heap-child.mjs
// BUNDLE PERSIST_DIR CASE`, CASE one of none (only opens D1), snapshots, adhoc, adhoc-team. Exits 0
// when it completed; under too small a heap limit V8 aborts it.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [bundle, persistDir, which] = process.argv.slice(2);
// Miniflare from wrangler's own dependency tree, so that its workerd and D1 are the bench server's.
const wranglerRequire = createRequire(createRequire(import.meta.url).resolve("wrangler/package.json"));
const { Miniflare } = await import(pathToFileURL(wranglerRequire.resolve("miniflare")).href);
const mf = new Miniflare({
  modules: true,
  script: "export default { fetch() { return new Response(null) } }",
  d1Databases: { DB: "00000000-0000-0000-0000-000000000000" },
  d1Persist: `${persistDir}/v3/d1`,
});
try {
  const d1 = await mf.getD1Database("DB");
  const { figuresOfWindows, windowFigures, STANDARD_WINDOWS } = await import(pathToFileURL(bundle).href);
  const DAY = 86_400_000;
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const today = Math.floor(Date.now() / DAY) * DAY;
  // The bench's read section's first ad-hoc window: 90 days, ending a month ago.
  const window = { from: day(today - 120 * DAY), to: day(today - 30 * DAY), environments: ["production"], service: null, group: "all" };
  if (which === "snapshots") await figuresOfWindows(d1, ["production"], STANDARD_WINDOWS.map((n) => day(today + DAY - n * DAY)), day(today + DAY));
  else if (which === "adhoc") await windowFigures(d1, { ...window, team: null });
  else if (which === "adhoc-team") await windowFigures(d1, { ...window, team: "team-3" });
  else await d1.prepare("SELECT 1").all();
} finally {
  await mf.dispose();
}
