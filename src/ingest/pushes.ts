/**
 * @module
 * Pushes: what an accepted change is worth telling at once (a failed production deployment, an
 * incident opened soon after a deployment of the same service, a resolved incident), written in
 * the integration's chosen format and queued in the same transaction as the change. An object
 * knows its own integration's deployments only, and keeps them while pushes are on, so a suspect
 * is found among those.
 */
import type { StoredRecord } from "../events/canonical";
import type { Outbound } from "./outbound";
import type { NotifyConfig } from "./protocol";

/** Deployments older than this are never a suspect, whatever the window. */
const KEPT_DEPLOYMENTS_MS = 8 * 24 * 3600_000;

type Push = { id: string; type: "deployment_failed" | "suspect_deployment" | "incident_resolved"; service: string | null; environment: string; text: string; details: Record<string, unknown> };

interface SuspectRow extends Record<string, SqlStorageValue> {
  id: string;
  at: number;
  url: string | null;
}

export class Pushes {
  constructor(
    private readonly sql: SqlStorage,
    private readonly outbound: Outbound,
  ) {}

  /** Notes a change and queues what it is worth pushing; runs in the caller's transaction. */
  observe(record: StoredRecord, previous: StoredRecord | null, notify: NotifyConfig | null, origin: string): void {
    // Deployments are kept only while pushes are on: without them nobody asks for a suspect.
    if (!notify) return;
    if (record.type === "deployment") this.remember(record);
    const now = Date.now();
    for (const push of this.pushesFor(record, previous, notify, origin)) {
      const body = notify.format === "slack" ? { text: push.text } : { id: push.id, type: push.type, service: push.service, environment: push.environment, ...push.details };
      this.outbound.enqueuePush({ id: push.id, body: JSON.stringify(body) }, now);
    }
  }

  private pushesFor(record: StoredRecord, previous: StoredRecord | null, notify: NotifyConfig, origin: string): Push[] {
    const service = record.service_name;
    const environment = record.environment_normalized;
    const link = (kind: string, id: string) => `${origin}/api/v1/${kind}/${id}`;
    if (record.type === "deployment") {
      const wasFailed = previous?.type === "deployment" && previous.status === "failure";
      if (record.status !== "failure" || wasFailed || environment !== "production") return [];
      const text = `Production deployment of ${service ?? "an unnamed service"} failed${record.url ? `: ${record.url}` : ""}`;
      return [{ id: `deployment_failed:${record.id}`, type: "deployment_failed", service, environment, text, details: { deployment_id: record.id, url: record.url, link: link("deployments", record.id) } }];
    }
    if (record.type !== "incident") return [];
    const pushes: Push[] = [];
    const title = record.title ?? record.dedup_key;
    if (previous === null && service !== null) {
      const suspect = this.suspect(service, Date.parse(record.created_at), notify.suspect_minutes);
      if (suspect) {
        const minutes = Math.max(0, Math.round((Date.parse(record.created_at) - suspect.at) / 60_000));
        const deployLink = link("deployments", suspect.id);
        pushes.push({
          id: `suspect_deployment:${record.id}`,
          type: "suspect_deployment",
          service,
          environment,
          text: `Incident "${title}" on ${service} opened ${minutes} min after a deployment: ${deployLink}`,
          details: { incident_id: record.id, deployment_id: suspect.id, deployment_link: deployLink, deployment_url: suspect.url, minutes_after: minutes },
        });
      }
    }
    const wasResolved = previous?.type === "incident" && previous.status === "resolved";
    if (record.status === "resolved" && record.resolved_at !== null && !wasResolved) {
      const seconds = Math.max(0, Math.round((Date.parse(record.resolved_at) - Date.parse(record.created_at)) / 1000));
      pushes.push({
        id: `incident_resolved:${record.id}`,
        type: "incident_resolved",
        service,
        environment,
        text: `Incident "${title}"${service ? ` on ${service}` : ""} resolved; time to restore ${describe(seconds)}`,
        details: { incident_id: record.id, time_to_restore_seconds: seconds, link: link("incidents", record.id) },
      });
    }
    return pushes;
  }

  /** Keeps a deployment of a named service for later incidents to find. */
  private remember(record: StoredRecord & { type: "deployment" }): void {
    if (record.service_name === null || record.status !== "success") return;
    const at = Date.parse(record.finished_at ?? record.started_at ?? record.received_at);
    this.sql.exec("INSERT OR REPLACE INTO recent_deployments (id, service, at, url) VALUES (?, ?, ?, ?)", record.id, record.service_name.toLowerCase(), at, record.url);
    this.sql.exec("DELETE FROM recent_deployments WHERE at < ?", Date.now() - KEPT_DEPLOYMENTS_MS);
  }

  /** The latest successful deployment of `service` in the `minutes` before `at`. */
  private suspect(service: string, at: number, minutes: number): SuspectRow | null {
    return (
      this.sql
        .exec<SuspectRow>("SELECT id, at, url FROM recent_deployments WHERE service = ? AND at <= ? AND at >= ? ORDER BY at DESC LIMIT 1", service.toLowerCase(), at, at - minutes * 60_000)
        .toArray()[0] ?? null
    );
  }
}

function describe(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
