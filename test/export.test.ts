import { describe, expect, it } from "vitest";
import { ADMIN, BASE, call, callJson, env } from "./helpers";
import { SELF } from "cloudflare:test";
import { csvField, csvLine } from "../src/api/csv";

/** Seeds `count` deployments with one INSERT ... SELECT per 10,000, half of them in staging. */
async function seedDeployments(prefix: string, count: number) {
  for (let start = 0; start < count; start += 10_000) {
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT CAST(?1 AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i + 1 < min(?1 + 10000, ?2))
       INSERT INTO deployments (id, integration_id, dedup_key, seq, last_seq, service, service_name, environment, status, occurred_at, received_at, description, raw)
       SELECT ?3 || printf('%06d', i), 'export', ?3 || i, i, i, 'svc-' || (i % 7), 'svc-' || (i % 7), CASE i % 2 WHEN 0 THEN 'production' ELSE 'staging' END,
              'success', strftime('%Y-%m-%dT%H:%M:%fZ', '2025-01-01', '+' || i || ' seconds'), '2025-01-01T00:00:00.000Z', 'said "ship it", then' || char(10) || 'left', ''
       FROM n`,
    )
      .bind(start, count, prefix)
      .run();
  }
}

/** Reads a streamed body, counting its chunks and the largest one. */
async function readChunks(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  let largest = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    largest = Math.max(largest, value.byteLength);
    text += decoder.decode(value, { stream: true });
  }
  return { text, chunks, largest };
}

describe("exports", () => {
  it("streams 100,000 deployments as CSV in bounded chunks, every one matching the filters", async () => {
    await seedDeployments("exp-", 200_000);
    const res = await SELF.fetch(`${BASE}/api/v1/deployments.csv?environment=production`, { headers: ADMIN });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const { text, chunks, largest } = await readChunks(res);
    // A chunk per thousand rows, none holding much more than a thousand rows' worth.
    expect(chunks).toBeGreaterThanOrEqual(100);
    expect(largest).toBeLessThan(400_000);
    // Records end in CRLF; the description's own line break is a bare LF inside quotes.
    const lines = text.split("\r\n");
    expect(lines.pop()).toBe("");
    expect(lines[0]).toBe(
      "id,integration_id,seq,dedup_key,service,service_name,environment,environment_raw,status,kind,started_at,finished_at,received_at,deploy_number,change_id,url,description,deployer_name,deployer_email,commits",
    );
    const records = lines.slice(1);
    expect(records).toHaveLength(100_000);
    // Newest first, with no row twice, each matching the filter and its description quoted.
    expect(records[0]!.startsWith("exp-199998,export,199998,")).toBe(true);
    expect(records[99_999]!.startsWith("exp-000000,")).toBe(true);
    expect(new Set(records.map((r) => r.split(",")[0])).size).toBe(100_000);
    expect(records.every((r) => r.includes(',production,,success,') && r.includes(',"said ""ship it"", then\nleft",'))).toBe(true);
  }, 120_000);

  it("exports as NDJSON exactly what the list shows for the same filters", async () => {
    await seedDeployments("nd-", 2_500);
    const filters = "service=svc-3&from=2025-01-01T00:10:00Z&to=2025-01-01T00:30:00Z";
    const listed: unknown[] = [];
    let cursor = "";
    do {
      const page = await callJson("GET", `/api/v1/deployments?${filters}&limit=500${cursor && `&cursor=${cursor}`}`, undefined, ADMIN);
      listed.push(...page.json.items);
      cursor = page.json.next_cursor ?? "";
    } while (cursor);
    const res = await call("GET", `/api/v1/deployments.ndjson?${filters}`, undefined, ADMIN);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await res.text()).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => JSON.parse(l))).toEqual(listed);
    expect(listed.length).toBeGreaterThan(100);
  });

  it("exports incidents, and refuses without a token or with a bad filter", async () => {
    const csv = await call("GET", "/api/v1/incidents.csv", undefined, ADMIN);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toMatch(/^id,integration_id,seq,dedup_key,.*,linked_deployment_id,linked_deployment_linked_by\r\n$/);
    expect((await call("GET", "/api/v1/incidents.ndjson")).status).toBe(401);
    const bad = await callJson("GET", "/api/v1/deployments.csv?from=yesterday", undefined, ADMIN);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("from");
  });

  it("quotes CSV fields that need it", () => {
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField(" padded")).toBe('" padded"');
    expect(csvField(null)).toBe("");
    expect(csvLine({ a: 1, b: { c: "x,y" }, d: [{ sha: "s" }] }, ["a", "b.c", "d"])).toBe('1,"x,y","[{""sha"":""s""}]"\r\n');
  });
});
