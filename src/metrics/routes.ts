/**
 * @module
 * `GET /api/v1/metrics`, `GET /api/v1/metrics/timeseries` (docs/metrics.md) and the admin
 * `POST /api/v1/recompute`. Reads serve what the last recompute materialised: a stored snapshot
 * when the window and filters are a standard one, else the same figures assembled on demand.
 */
import { Hono } from "hono";
import { z } from "zod";
import { configOf } from "../config";
import type { AppEnv } from "../env";
import { requireAdmin, requireReader } from "../http/auth";
import { ApiError } from "../http/errors";
import { queryValidator } from "../api/pagination";
import { day, queryText, queryWindow } from "../api/query-fields";
import { normalizeEnvironment, type EnvironmentAliases } from "../lib/environment";
import { metricsObject, type WindowFigures } from "./assemble";
import { buckets } from "./calendar";
import { windowFigures, type FigureQuery } from "./figures";
import { memoised } from "./answer-memo";
import { recompute } from "./recompute";

/** The most buckets a timeseries answers with. */
const MAX_BUCKETS = 1000;
/** The most environments one answer pools. */
const MAX_ENVIRONMENTS = 10;

export const metricsQuerySchema = z.object({
  service: queryText,
  team: queryText,
  environment: queryText.transform((v, ctx) => {
    const names = (v ?? "production").split(",").map((name) => name.trim());
    if (names.some((name) => name === "")) ctx.addIssue({ code: "custom", message: "environment must be a name or a comma-separated list of names" });
    if (names.length > MAX_ENVIRONMENTS) ctx.addIssue({ code: "custom", message: `environment may list at most ${MAX_ENVIRONMENTS} names` });
    return names;
  }),
  from: day("from"),
  to: day("to"),
  benchmark: z.enum(["2023", "2021"]).default("2023"),
});

export const timeseriesQuerySchema = metricsQuerySchema.extend({ granularity: z.enum(["day", "week", "month"]).default("week") });

export const recomputeQuerySchema = z.object({ full: z.enum(["true", "false"]).optional() });

/** A query with its environments normalised (the operator's aliases applied) and without repeats. */
type MetricsQuery = Omit<z.output<typeof metricsQuerySchema>, "environment"> & { environments: string[] };

function normalized<Q extends { environment: string[] }>(query: Q, aliases: EnvironmentAliases): Omit<Q, "environment"> & { environments: string[] } {
  const { environment, ...rest } = query;
  return { ...rest, environments: [...new Set(environment.map((name) => normalizeEnvironment(name, aliases)))] };
}

const AS_OF = "SELECT as_of FROM metric_state WHERE id = 1";

async function asOf(d1: D1Database): Promise<string | null> {
  return (await d1.prepare(AS_OF).first<{ as_of: string | null }>())?.as_of ?? null;
}

/**
 * The stored snapshot for this window and filters, if it is one of the standard ones, and when it
 * was computed: one round trip to D1, which an ad-hoc answer then follows with one more.
 */
async function snapshot(d1: D1Database, q: MetricsQuery, from: string, to: string): Promise<{ figures: WindowFigures | null; asOf: string | null }> {
  // A service and a team together, or several environments, are never a snapshot.
  if ((q.service !== null && q.team !== null) || q.environments.length > 1) return { figures: null, asOf: await asOf(d1) };
  const [scope, key] = q.service !== null ? ["service", q.service] : q.team !== null ? ["team", q.team] : ["all", "*"];
  const [rows, state] = await d1.batch<{ body?: string; as_of?: string | null }>([
    d1.prepare("SELECT body FROM metric_snapshots WHERE scope = ? AND key = ? AND environment = ? AND from_day = ? AND to_day = ?").bind(scope, key, q.environments[0], from, to),
    d1.prepare(AS_OF),
  ]);
  const body = rows!.results[0]?.body;
  return { figures: body === undefined ? null : (JSON.parse(body) as WindowFigures), asOf: state!.results[0]?.as_of ?? null };
}

function header(q: MetricsQuery, window: { from: string; to: string; days: number }, as_of: string | null) {
  // Several environments are named as one string, the normalised names joined as given.
  return { as_of, window, filters: { service: q.service, team: q.team, environment: q.environments.join(",") }, benchmark: q.benchmark };
}

const today = () => new Date().toISOString().slice(0, 10);

function figureQuery(q: MetricsQuery, from: string, to: string, group: FigureQuery["group"]): FigureQuery {
  return { from, to, environments: q.environments, service: q.service, team: q.team, group };
}

export const metricsRoutes = new Hono<AppEnv>();

metricsRoutes.get("/api/v1/metrics", requireReader, queryValidator(metricsQuerySchema), async (c) => {
  const q = normalized(c.req.valid("query"), configOf(c.env).environmentAliases);
  const window = queryWindow(q, today());
  const body = await memoised(`metrics:${JSON.stringify([q, window])}`, async () => {
    const stored = await snapshot(c.env.DB, q, window.from, window.to);
    const figures = stored.figures ?? (await windowFigures(c.env.DB, figureQuery(q, window.from, window.to, "all"))).groups.get("*")!;
    return { ...header(q, window, stored.asOf), ...metricsObject(figures, window.from, window.to, q.benchmark) };
  });
  return c.json(body);
});

metricsRoutes.get("/api/v1/metrics/timeseries", requireReader, queryValidator(timeseriesQuerySchema), async (c) => {
  const q = normalized(c.req.valid("query"), configOf(c.env).environmentAliases);
  const window = queryWindow(q, today());
  const list = buckets(window.from, window.to, q.granularity);
  if (list.length > MAX_BUCKETS) throw ApiError.of(400, `at most ${MAX_BUCKETS} buckets; use a shorter window or a coarser granularity`, "granularity");
  const body = await memoised(`timeseries:${JSON.stringify([q, window])}`, async () => {
    const { groups } = await windowFigures(c.env.DB, figureQuery(q, window.from, window.to, q.granularity));
    return {
      ...header(q, window, await asOf(c.env.DB)),
      granularity: q.granularity,
      buckets: list.map((b) => ({ start: b.start, end: b.end, ...metricsObject(groups.get(b.key)!, b.start, b.end, q.benchmark) })),
    };
  });
  return c.json(body);
});

metricsRoutes.post("/api/v1/recompute", requireAdmin, queryValidator(recomputeQuerySchema), async (c) => {
  const { linkWindowHours, environmentAliases } = configOf(c.env);
  const summary = await recompute(c.env.DB, { full: c.req.valid("query").full === "true", linkWindowHours, environmentAliases });
  return c.json(summary);
});
