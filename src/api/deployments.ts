/**
 * @module
 * `GET /api/v1/deployments` (newest first, cursor pagination, filters) and `/deployments/:id`.
 */
import { desc, eq, getTableColumns, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { database, jsonKeys, type Database } from "../db/client";
import { deploymentCommits, deployments } from "../db/schema";
import type { AppEnv } from "../env";
import { requireReader } from "../http/auth";
import { ApiError } from "../http/errors";
import { deliveriesOf } from "../raw/deliveries";
import { encodeCursor, listConditions, listQuery, pageOf, type ListQuery } from "./pagination";
import { recordHeader } from "./record-header";

type DeploymentRow = typeof deployments.$inferSelect;
type CommitRow = typeof deploymentCommits.$inferSelect;

const { raw: _raw, ...listColumns } = getTableColumns(deployments);

function present(row: Omit<DeploymentRow, "raw">, commits: CommitRow[]) {
  return {
    ...recordHeader(row),
    kind: row.kind,
    started_at: row.startedAt,
    finished_at: row.finishedAt,
    received_at: row.receivedAt,
    deploy_number: row.deployNumber,
    change_id: row.changeId,
    url: row.url,
    description: row.description,
    deployer: row.deployerName === null && row.deployerEmail === null ? null : { name: row.deployerName, email: row.deployerEmail },
    commits: commits.map((c) => ({
      sha: c.sha,
      repository: c.repository === "" ? null : c.repository,
      branch: c.branch,
      message: c.message,
      committed_at: c.committedAt,
      authored_at: c.authoredAt,
    })),
  };
}

async function commitsOf(db: Database, ids: string[]): Promise<Map<string, CommitRow[]>> {
  const byId = new Map<string, CommitRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byId;
  const rows = await db
    .select()
    .from(deploymentCommits)
    .where(inArray(deploymentCommits.deploymentId, jsonKeys(ids)));
  for (const row of rows) byId.get(row.deploymentId)?.push(row);
  return byId;
}

export const deploymentRoutes = new Hono<AppEnv>();
deploymentRoutes.use("/api/v1/deployments/*", requireReader);

/** One page of the list, newest first, as the API presents it, with the next page's cursor. */
export async function deploymentPage(db: Database, q: ListQuery) {
  const rows = await db
    .select(listColumns)
    .from(deployments)
    .where(
      listConditions(db, q, {
        service: deployments.service,
        environment: deployments.environment,
        status: deployments.status,
        integrationId: deployments.integrationId,
        time: deployments.occurredAt,
        id: deployments.id,
      }),
    )
    .orderBy(desc(deployments.occurredAt), desc(deployments.id))
    .limit(q.limit + 1);
  const { page, next } = pageOf(rows, q.limit, (r) => r.occurredAt);
  const commits = await commitsOf(db, page.map((r) => r.id));
  return { items: page.map((r) => present(r, commits.get(r.id) ?? [])), next };
}

deploymentRoutes.get("/api/v1/deployments", listQuery, async (c) => {
  const { items, next } = await deploymentPage(database(c.env.DB), c.req.valid("query"));
  return c.json({ items, next_cursor: next && encodeCursor(...next) });
});

deploymentRoutes.get("/api/v1/deployments/:id", async (c) => {
  const db = database(c.env.DB);
  const [row] = await db.select().from(deployments).where(eq(deployments.id, c.req.param("id")));
  if (!row) throw ApiError.of(404, `no deployment with id ${JSON.stringify(c.req.param("id"))}`);
  const commits = await commitsOf(db, [row.id]);
  return c.json({ ...present(row, commits.get(row.id) ?? []), ...(await deliveriesOf(db, c.env.RAW, row.id, row.raw)) });
});
