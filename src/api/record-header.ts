/**
 * @module
 * The fields every stored record (deployment or incident) shows first in the read API.
 */

interface RecordRow {
  id: string;
  integrationId: string;
  seq: number;
  dedupKey: string | null;
  service: string | null;
  serviceName: string | null;
  environment: string | null;
  environmentRaw: string | null;
}

/** The record's identity, its service and its environment, as the API names them. */
export function recordHeader<R extends RecordRow & { status: unknown }>(row: R) {
  return {
    id: row.id,
    integration_id: row.integrationId,
    seq: row.seq,
    dedup_key: row.dedupKey,
    service: row.service,
    service_name: row.serviceName,
    environment: row.environment,
    environment_raw: row.environmentRaw,
    status: row.status as R["status"],
  };
}
