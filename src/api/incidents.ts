/**
 * @module
 * `GET /api/v1/incidents` (newest first, cursor pagination, filters) and `/incidents/:id`, each
 * incident with the deployment the last recompute linked it to.
 */
import { and, desc, eq, getTableColumns, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import { database, type Database } from "../db/client";
import { deployments, incidents, metricIncidents, services } from "../db/schema";
import type { AppEnv } from "../env";
import { requireReader } from "../http/auth";
import { ApiError } from "../http/errors";
import { encodeCursor, listQuery, type ListQuery } from "./pagination";

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

function present(row: IncidentRow, link: Link | undefined) {
  return {
    id: row.id,
    integration_id: row.integrationId,
    seq: row.seq,
    dedup_key: row.dedupKey,
    service: row.service,
    service_name: row.serviceName,
    environment: row.environment,
    environment_raw: row.environmentRaw,
    status: row.status,
    counted: row.counted,
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

/** The deployments the last recompute linked these incidents to. */
async function linksOf(db: Database, ids: string[]): Promise<Map<string, Link>> {
  if (ids.length === 0) return new Map();
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
    .where(inArray(metricIncidents.id, sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`));
  return new Map(rows.map((r) => [r.incidentId, r]));
}

function conditions(db: Database, q: ListQuery): SQL | undefined {
  return and(
    q.service === null ? undefined : eq(incidents.service, q.service),
    q.team === null ? undefined : inArray(incidents.service, db.select({ slug: services.slug }).from(services).where(eq(services.team, q.team))),
    q.environment === null ? undefined : eq(incidents.environment, q.environment),
    q.status === null ? undefined : eq(incidents.status, q.status),
    q.integration === null ? undefined : eq(incidents.integrationId, q.integration),
    q.from === null ? undefined : gte(incidents.createdAt, q.from),
    q.to === null ? undefined : lt(incidents.createdAt, q.to),
    q.cursor === null
      ? undefined
      : or(lt(incidents.createdAt, q.cursor[0]), and(eq(incidents.createdAt, q.cursor[0]), lt(incidents.id, q.cursor[1]))),
  );
}

export const incidentRoutes = new Hono<AppEnv>();
incidentRoutes.use("*", requireReader);

incidentRoutes.get("/", listQuery, async (c) => {
  const q = c.req.valid("query");
  const db = database(c.env.DB);
  const rows = await db
    .select(listColumns)
    .from(incidents)
    .where(conditions(db, q))
    .orderBy(desc(incidents.createdAt), desc(incidents.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const links = await linksOf(db, page.map((r) => r.id));
  const last = page[page.length - 1];
  return c.json({
    items: page.map((r) => present(r, links.get(r.id))),
    next_cursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  });
});

incidentRoutes.get("/:id", async (c) => {
  const db = database(c.env.DB);
  const [row] = await db.select().from(incidents).where(eq(incidents.id, c.req.param("id")));
  if (!row) throw ApiError.of(404, `no incident with id ${JSON.stringify(c.req.param("id"))}`);
  const links = await linksOf(db, [row.id]);
  return c.json({ ...present(row, links.get(row.id)), raw: JSON.parse(row.raw) as unknown });
});
