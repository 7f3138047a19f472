/**
 * The dashboard page as the Worker serves it: the six metric regions in the server-rendered HTML,
 * assets from this Worker only, a policy that forbids any other origin, and a small page.
 */
import { describe, expect, it } from "vitest";
import { call } from "./helpers";

const NAMES = ["Deployment frequency", "Change lead time", "Change failure rate", "Failed deployment recovery time", "Time to restore service", "Deployment rework rate"];

describe("the dashboard page", () => {
  it.each(["/", "/dashboard"])("%s is the page, with the six metric regions and both token fields", async (path) => {
    const res = await call("GET", path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html.startsWith("<!doctype html>")).toBe(true);
    for (const name of NAMES) expect(html).toMatch(new RegExp(`<section[^>]*aria-labelledby="title-[a-z_]+"[^>]*><h2 id="title-[a-z_]+">${name}</h2>`));
    expect(html).toContain('<label for="read-token">Read token</label>');
    expect(html).toContain('<label for="admin-token">Admin token</label>');
  });

  it("loads nothing from another origin, and its policy would block it", async () => {
    const res = await call("GET", "/");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(1);
    for (const ref of refs) expect(ref.startsWith("/") || ref.startsWith("#"), ref).toBe(true);
  });

  it("serves its script and stylesheet, revalidated by ETag, all under 150 KB", async () => {
    const html = await (await call("GET", "/")).text();
    let total = html.length;
    for (const ref of [...html.matchAll(/(?:src|href)="(\/dashboard\/[^"]+)"/g)].map((m) => m[1]!)) {
      const res = await call("GET", ref);
      expect(res.status, ref).toBe(200);
      const body = await res.text();
      // The SVG namespace is a name, not an address.
      expect(body.replaceAll("http://www.w3.org/2000/svg", "")).not.toMatch(/https?:\/\//);
      total += body.length;
      const again = await call("GET", ref, undefined, { "if-none-match": res.headers.get("etag")! });
      expect(again.status).toBe(304);
    }
    expect(total).toBeLessThan(150 * 1024);
  });
});
