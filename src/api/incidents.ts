/**
 * @module
 * `GET /api/v1/incidents` (newest first, cursor pagination, filters) and `/incidents/:id`, each
 * incident with the deployment the last recompute linked it to, and whether it counts.
 */
import { and, desc, eq, getTableColumns, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { database, jsonKeys, type Database } from "../db/client";
import { deployments, incidents, metricChanges, metricIncidents } from "../db/schema";
import type { AppEnv } from "../env";
import { requireReader } from "../http/auth";
import { ApiError } from "../http/errors";
import { deliveriesOf } from "../raw/deliveries";
import { encodeCursor, listConditions, listQuery, pageOf, type ListQuery } from "./pagination";
import { recordHeader } from "./record-header";

type IncidentRow = Omit<typeof incidents.$inferSelect, "raw">;

const { raw: _raw, ...listColumns } = getTableColumns(incidents);

interface Link {
  incidentId: string;
  linkedBy: string | null;
  id: string;
  service: string;
  environment: string;
  status: string;
  finishedAt: string | null;
  deployNumber: string | null;
  url: string | null;
}

/** What the last recompute made of some incidents: their links, and which of them it counted or has yet to see. */
interface Recomputed {
  links: Map<string, Link>;
  countedOrPending: Set<string>;
}

function present(row: IncidentRow, { links, countedOrPending }: Recomputed) {
  const link = links.get(row.id);
  return {
    ...recordHeader(row),
    // The incident's integration's rule may leave out one the event counts, from the next full recompute on.
    counted: row.counted && countedOrPending.has(row.id),
    priority: row.priority,
    priority_raw: row.priorityRaw,
    urgency: row.urgency,
    title: row.title,
    url: row.url,
    created_at: row.createdAt,
    resolved_at: row.resolvedAt,
    received_at: row.receivedAt,
    links: { change_id: row.linkChangeId, deployment_id: row.linkDeploymentId, commit_sha: row.linkCommitSha },
    linked_deployment: link
      ? {
          id: link.id,
          linked_by: link.linkedBy,
          service: link.service,
          environment: link.environment,
          status: link.status,
          finished_at: link.finishedAt,
          deploy_number: link.deployNumber,
          url: link.url,
        }
      : null,
  };
}

/** The deployments the last recompute linked these incidents to, and those it counted or has not yet seen. */
async function recomputedOf(db: Database, ids: string[]): Promise<Recomputed> {
  if (ids.length === 0) return { links: new Map(), countedOrPending: new Set() };
  const keys = jsonKeys(ids);
  // Not in one batch: a batched join answers by column name, and both tables name a column `id`.
  const rows = await db
    .select({
      incidentId: metricIncidents.id,
      linkedBy: metricIncidents.linkedBy,
      id: deployments.id,
      service: deployments.service,
      environment: deployments.environment,
      status: deployments.status,
      finishedAt: deployments.finishedAt,
      deployNumber: deployments.deployNumber,
      url: deployments.url,
    })
    .from(metricIncidents)
    .innerJoin(deployments, eq(deployments.id, metricIncidents.deploymentId))
    .where(inArray(metricIncidents.id, keys));
  const seen = await db
    .select({ id: metricIncidents.id })
    .from(metricIncidents)
    .where(inArray(metricIncidents.id, keys))
    .union(db.select({ id: metricChanges.id }).from(metricChanges).where(and(eq(metricChanges.kind, "incident"), inArray(metricChanges.id, keys))));
  return { links: new Map(rows.map((r) => [r.incidentId, r])), countedOrPending: new Set(seen.map((r) => r.id)) };
}

export const incidentRoutes = new Hono<AppEnv>();
incidentRoutes.use("/api/v1/incidents/*", requireReader);

/** One page of the list, newest first, as the API presents it, with the next page's cursor. */
export async function incidentPage(db: Database, q: ListQuery) {
  const rows = await db
    .select(listColumns)
    .from(incidents)
    .where(
      listConditions(db, q, {
        service: incidents.service,
        environment: incidents.environment,
        status: incidents.status,
        integrationId: incidents.integrationId,
        time: incidents.createdAt,
        id: incidents.id,
      }),
    )
    .orderBy(desc(incidents.createdAt), desc(incidents.id))
    .limit(q.limit + 1);
  const { page, next } = pageOf(rows, q.limit, (r) => r.createdAt);
  const recomputed = await recomputedOf(db, page.map((r) => r.id));
  return { items: page.map((r) => present(r, recomputed)), next };
}

incidentRoutes.get("/api/v1/incidents", listQuery, async (c) => {
  const { items, next } = await incidentPage(database(c.env.DB), c.req.valid("query"));
  return c.json({ items, next_cursor: next && encodeCursor(...next) });
});

incidentRoutes.get("/api/v1/incidents/:id", async (c) => {
  const db = database(c.env.DB);
  const [row] = await db.select().from(incidents).where(eq(incidents.id, c.req.param("id")));
  if (!row) throw ApiError.of(404, `no incident with id ${JSON.stringify(c.req.param("id"))}`);
  return c.json({ ...present(row, await recomputedOf(db, [row.id])), ...(await deliveriesOf(db, c.env.RAW, row.id, row.raw)) });
});
