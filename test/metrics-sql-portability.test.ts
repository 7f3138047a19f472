/**
 * The recompute and the reads must run on every D1 the Worker meets, not only on the test pool's.
 * wrangler dev's workerd carries SQLite 3.47, which refuses an ORDER BY inside a subquery that names
 * a column of an enclosing query ("no such column: i.environment"): the test pool's newer SQLite
 * accepts it, so running the statements here proves nothing. This test runs the real job against
 * real D1, records every statement it prepares, and checks each subquery's ORDER BY names only the
 * tables of its own FROM clause.
 */
import { describe, expect, it } from "vitest";
import { windowFigures } from "../src/metrics/figures";
import { recompute } from "../src/metrics/recompute";
import { callJson, createIntegration, drain, env } from "./helpers";

/** A D1 that prepares on the real one and remembers the SQL. */
function recording(d1: D1Database): { d1: D1Database; statements: string[] } {
  const statements: string[] = [];
  const proxy = {
    prepare: (sql: string) => {
      statements.push(sql);
      return d1.prepare(sql);
    },
    batch: (list: D1PreparedStatement[]) => d1.batch(list),
  };
  return { d1: proxy as unknown as D1Database, statements };
}

/** The index just past the parenthesis that closes the one at `open`. */
function closing(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    if (sql[i] === "(") depth++;
    else if (sql[i] === ")" && --depth === 0) return i + 1;
  }
  return sql.length;
}

/** The body of every parenthesised `(SELECT ...)` in a statement, nested ones included. */
function subqueries(sql: string): string[] {
  return [...sql.matchAll(/\(\s*SELECT\b/gi)].map((m) => sql.slice(m.index + 1, closing(sql, m.index) - 1));
}

/** A query's own text: every parenthesised part (subqueries, window specs, calls) emptied. */
function ownLevel(query: string): string {
  let out = "";
  for (let i = 0; i < query.length; i++) {
    if (query[i] === "(") {
      const end = closing(query, i);
      out += "()";
      i = end - 1;
    } else out += query[i];
  }
  return out;
}

const NOT_ALIASES = /^(ON|USING|WHERE|CROSS|LEFT|INNER|OUTER|NATURAL|GROUP|ORDER|LIMIT|UNION|WINDOW)$/i;

/** The table names and aliases a query's own FROM clauses declare. */
function declared(own: string): Set<string> {
  const names = new Set<string>();
  for (const from of own.matchAll(/\bFROM\b([\s\S]*?)(?=\bWHERE\b|\bGROUP\b|\bORDER\b|\bWINDOW\b|\bLIMIT\b|\bUNION\b|$)/gi)) {
    for (const item of from[1]!.split(/,|\bJOIN\b/i)) {
      const m = /^\s*(\w+|\(\))(?:\s+(?:AS\s+)?(\w+))?/i.exec(item);
      if (!m) continue;
      if (m[1] !== "()") names.add(m[1]!.toLowerCase());
      if (m[2] && !NOT_ALIASES.test(m[2])) names.add(m[2].toLowerCase());
    }
  }
  return names;
}

/** The qualifiers an ORDER BY of the query's own level uses that its FROM does not declare. */
function outerNamesInOrderBy(query: string): string[] {
  const own = ownLevel(query);
  const order = /\bORDER\s+BY\b([\s\S]*?)(?:\bLIMIT\b|$)/i.exec(own);
  if (!order) return [];
  const names = declared(own);
  return [...order[1]!.matchAll(/\b([a-z_]\w*)\.[a-z_]\w*/gi)].map((m) => m[1]!.toLowerCase()).filter((q) => !names.has(q));
}

describe("metrics SQL on older SQLite", () => {
  it("finds a subquery's ORDER BY naming an outer column", () => {
    expect(outerNamesInOrderBy("SELECT m.id FROM metric_deployments m WHERE m.service = i.service ORDER BY m.environment = i.environment DESC LIMIT 1")).toEqual(["i"]);
    expect(outerNamesInOrderBy("SELECT x.id FROM (SELECT m.id, m.at <= i.created_at AS b FROM metric_deployments m) x ORDER BY x.b DESC LIMIT 1")).toEqual([]);
  });

  it("never orders a subquery by an enclosing query's column, in the recompute or the reads", async () => {
    const id = crypto.randomUUID().slice(0, 8);
    const generic = await createIntegration("generic");
    const auth = { authorization: `Bearer ${generic.secret}` };
    const deployments = await callJson("POST", `/webhooks/generic/${generic.id}/deployments`, {
      items: [
        { dedup_key: `p1-${id}`, service: `p-${id}`, finished_at: "2025-06-02T10:00:00Z", change_id: `c-${id}`, commits: [{ sha: `s1-${id}`, committed_at: "2025-06-02T09:00:00Z" }] },
        { dedup_key: `p2-${id}`, service: `p-${id}`, finished_at: "2025-06-03T10:00:00Z", commit_sha: `s2-${id}` },
      ],
    }, auth);
    expect(deployments.status, deployments.text).toBe(202);
    const incident = await callJson("POST", `/webhooks/generic/${generic.id}/incidents`, {
      items: [
        { dedup_key: `pi1-${id}`, service: `p-${id}`, created_at: "2025-06-03T11:00:00Z", links: { change_id: `c-${id}` } },
        { dedup_key: `pi2-${id}`, service: `p-${id}`, created_at: "2025-06-03T12:00:00Z", resolved_at: "2025-06-03T13:00:00Z" },
      ],
    }, auth);
    expect(incident.status, incident.text).toBe(202);
    await drain(generic.id);

    const { d1, statements } = recording(env.DB);
    const summary = await recompute(d1, { full: true, linkWindowHours: 168 });
    expect(summary.complete).toBe(true);
    for (const group of ["all", "service", "team", "day", "week", "month"] as const) {
      await windowFigures(d1, { from: "2025-06-01", to: "2025-06-08", environments: ["production"], service: `p-${id}`, team: null, group });
    }

    const ordered = statements.flatMap(subqueries).filter((q) => /\bORDER\s+BY\b/i.test(ownLevel(q)));
    // The incident-link candidates are among them: the check is not vacuous.
    expect(ordered.some((q) => /link_change_id/.test(q))).toBe(true);
    const offending = ordered.map((q) => ({ names: outerNamesInOrderBy(q), sql: q.replace(/\s+/g, " ").slice(0, 200) })).filter((o) => o.names.length > 0);
    expect(offending).toEqual([]);
  });
});
