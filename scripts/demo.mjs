// `npm run demo`: wrangler dev on fresh local state, filled with a realistic quarter through the real
// vendor routes and recomputed; prints the dashboard URL and a read token, then serves until Ctrl-C.
import { ADMIN_TOKEN, startServer } from "../bench/lib/server.mjs";
import { seedDemo } from "./demo-data.mjs";

const started = Date.now();
const server = await startServer();
const stop = () => {
  server.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
try {
  const demo = await seedDemo(server.base, ADMIN_TOKEN, { log: (line) => console.log(line) });
  const s = demo.summary;
  console.log(`recompute: ${s.mode}, ${s.changed_records} records, ${s.snapshots} snapshots in ${s.duration_ms} ms`);
  console.log(`\nReady in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  console.log(`  Dashboard:   ${server.base}/`);
  console.log(`  Read token:  ${demo.readToken}`);
  console.log(`  Admin token: ${ADMIN_TOKEN} (for the integrations view)`);
  console.log("Paste the read token into the page's \"Read token\" field. Ctrl-C stops the server and deletes its state.");
} catch (error) {
  console.error(error);
  console.error(server.output());
  server.stop();
  process.exit(1);
}
