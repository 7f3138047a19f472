/**
 * @module
 * `GET /api/v1/deployments.csv|.ndjson` and `/incidents.csv|.ndjson`: every record matching the
 * list filters, streamed newest first a chunk of rows at a time (keyset pagination), so memory
 * stays flat whatever the count.
 */
import { Hono } from "hono";
import { database, type Database } from "../db/client";
import type { AppEnv } from "../env";
import { requireReader } from "../http/auth";
import { csvHeader, csvLine } from "./csv";
import { deploymentPage } from "./deployments";
import { incidentPage } from "./incidents";
import { listQuerySchema, queryValidator, type ListQuery } from "./pagination";

/** Rows read per D1 query: big enough to amortise a round trip, small enough to hold in memory. */
const CHUNK_ROWS = 1000;

/** The CSV columns of each export, as dotted paths into the records the lists answer. */
export const EXPORT_COLUMNS = {
  deployments: ["id", "integration_id", "seq", "dedup_key", "service", "service_name", "environment", "environment_raw", "status", "kind", "started_at", "finished_at", "received_at", "deploy_number", "change_id", "url", "description", "deployer.name", "deployer.email", "commits"],
  incidents: ["id", "integration_id", "seq", "dedup_key", "service", "service_name", "environment", "environment_raw", "status", "counted", "priority", "priority_raw", "urgency", "title", "url", "created_at", "resolved_at", "received_at", "links.change_id", "links.deployment_id", "links.commit_sha", "linked_deployment.id", "linked_deployment.linked_by"],
} as const satisfies Record<string, readonly string[]>;

type Kind = keyof typeof EXPORT_COLUMNS;

interface Source {
  page: (db: Database, q: ListQuery) => Promise<{ items: object[]; next: [string, string] | null }>;
  columns: readonly string[];
}

const SOURCES: Record<Kind, Source> = {
  deployments: { page: deploymentPage, columns: EXPORT_COLUMNS.deployments },
  incidents: { page: incidentPage, columns: EXPORT_COLUMNS.incidents },
};

const FORMATS = {
  csv: { type: "text/csv; charset=utf-8", header: (s: Source) => csvHeader(s.columns), line: (s: Source, r: object) => csvLine(r, s.columns) },
  ndjson: { type: "application/x-ndjson", header: () => "", line: (_s: Source, r: object) => `${JSON.stringify(r)}\n` },
};

/** A stream that reads the next chunk only when the reader has taken the previous one. */
function exportStream(db: Database, filters: ListQuery, source: Source, format: (typeof FORMATS)[keyof typeof FORMATS]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: [string, string] | null = null;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { items, next } = await source.page(db, { ...filters, limit: CHUNK_ROWS, cursor });
        const head = started ? "" : format.header(source);
        started = true;
        controller.enqueue(encoder.encode(head + items.map((r) => format.line(source, r)).join("")));
        if (next === null) controller.close();
        cursor = next;
      },
    },
    { highWaterMark: 0 },
  );
}

/** The list filters; the export pages through every match itself, so no `limit` or `cursor`. */
export const exportQuerySchema = listQuerySchema.omit({ limit: true, cursor: true });
const exportQuery = queryValidator(exportQuerySchema);

export const exportRoutes = new Hono<AppEnv>();

for (const kind of ["deployments", "incidents"] as const) {
  for (const ext of ["csv", "ndjson"] as const) {
    exportRoutes.get(`/api/v1/${kind}.${ext}`, requireReader, exportQuery, (c) => {
      const filters: ListQuery = { ...c.req.valid("query"), limit: CHUNK_ROWS, cursor: null };
      const stream = exportStream(database(c.env.DB), filters, SOURCES[kind], FORMATS[ext]);
      return c.body(stream, 200, { "content-type": FORMATS[ext].type, "content-disposition": `attachment; filename="${kind}.${ext}"` });
    });
  }
}
