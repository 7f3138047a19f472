/**
 * @module
 * The D1 schema: integrations and tokens, the service catalog, and the stored events.
 * Times are UTC ISO 8601 strings with milliseconds, so text order is time order.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * One webhook endpoint. Its secret lives here only as a SHA-256 hash; after a roll, the replaced
 * secret's hash is kept until its grace period ends, so routes that find an integration by its
 * secret (DevGrid, Harness SEI) find it by either.
 */
export const integrations = sqliteTable(
  "integrations",
  {
    id: text("id").primaryKey(),
    vendor: text("vendor").notNull(),
    name: text("name").notNull(),
    defaultService: text("default_service"),
    defaultEnvironment: text("default_environment"),
    secretHash: text("secret_hash").notNull(),
    previousSecretHash: text("previous_secret_hash"),
    previousSecretExpiresAt: text("previous_secret_expires_at"),
    createdAt: text("created_at").notNull(),
    deletedAt: text("deleted_at"),
    /** Which incidents count, as JSON (`{"min_priority":"P2","urgency":"high"}`); null counts every one. */
    incidentRule: text("incident_rule"),
  },
  (t) => [uniqueIndex("integrations_secret_hash").on(t.secretHash), index("integrations_previous_secret_hash").on(t.previousSecretHash)],
);

/** Read-only tokens for dashboards. */
export const tokens = sqliteTable(
  "tokens",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("tokens_token_hash").on(t.tokenHash)],
);

/** The service catalog. */
export const services = sqliteTable("services", {
  slug: text("slug").primaryKey(),
  name: text("name").notNull(),
  team: text("team"),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/** Every lower-cased name a service answers to, its own slug included. */
export const serviceAliases = sqliteTable(
  "service_aliases",
  {
    alias: text("alias").primaryKey(),
    slug: text("slug")
      .notNull()
      .references(() => services.slug, { onDelete: "cascade" }),
  },
  (t) => [index("service_aliases_slug").on(t.slug)],
);

/** Repositories keyed by their normalised `host/owner/name` or `owner/name` form. */
export const serviceRepositories = sqliteTable(
  "service_repositories",
  {
    repoKey: text("repo_key").primaryKey(),
    slug: text("slug")
      .notNull()
      .references(() => services.slug, { onDelete: "cascade" }),
    url: text("url").notNull(),
  },
  (t) => [index("service_repositories_slug").on(t.slug)],
);

/**
 * Service names and repositories seen in events that the catalog did not know when they
 * arrived. `match_key` is the alias or repository key that would make them known.
 */
export const serviceSuggestions = sqliteTable("service_suggestions", {
  name: text("name").primaryKey(),
  kind: text("kind", { enum: ["name", "repository"] }).notNull(),
  matchKey: text("match_key").notNull(),
  firstSeenAt: text("first_seen_at").notNull(),
  lastSeenAt: text("last_seen_at").notNull(),
});

/**
 * Deployments. `seq` is the integration's sequence number of the event that created the row,
 * `last_seq` that of the latest event applied to it; the outbox drain never applies an older one.
 */
export const deployments = sqliteTable(
  "deployments",
  {
    id: text("id").primaryKey(),
    integrationId: text("integration_id").notNull(),
    dedupKey: text("dedup_key"),
    seq: integer("seq").notNull(),
    lastSeq: integer("last_seq").notNull(),
    service: text("service").notNull(),
    serviceName: text("service_name").notNull(),
    environment: text("environment").notNull(),
    environmentRaw: text("environment_raw"),
    status: text("status").notNull(),
    kind: text("kind"),
    startedAt: text("started_at"),
    finishedAt: text("finished_at"),
    occurredAt: text("occurred_at").notNull(),
    receivedAt: text("received_at").notNull(),
    deployNumber: text("deploy_number"),
    changeId: text("change_id"),
    url: text("url"),
    description: text("description"),
    deployerName: text("deployer_name"),
    deployerEmail: text("deployer_email"),
    /** The payload as D1 kept it before payloads moved to R2; empty once moved (see `rawPayloads`). */
    raw: text("raw").notNull(),
  },
  (t) => [
    uniqueIndex("deployments_integration_dedup").on(t.integrationId, t.dedupKey),
    // Covering for the full recompute's copy, which reads every deployment in this order: walking the
    // table in it, or sorting, cost three times as much as the rest of the copy.
    index("deployments_service_env_time").on(t.service, t.environment, t.occurredAt, t.id, t.status, t.kind, t.serviceName),
    index("deployments_time").on(t.occurredAt, t.id),
    // Incidents name deployments by change id or dedup key; the recompute looks them up here. Only
    // deployments with a change id: most senders give none, and each entry costs a row written.
    index("deployments_change_id").on(t.changeId).where(sql`${t.changeId} IS NOT NULL`),
    index("deployments_dedup_key").on(t.dedupKey),
    // By name as the catalog matches it (the recompute), and as sent (the suggestions' counts): one index
    // for both, since each one the outbox drain writes costs every event.
    index("deployments_service_name_lower").on(sql`lower(${t.serviceName})`, t.serviceName),
  ],
);

/**
 * The commits a deployment shipped, with the commit times the payload gave. WITHOUT ROWID (migration
 * 0014, which drizzle cannot express): the rows are stored in the key's B-tree, not in a table and again
 * in an index of the key.
 */
export const deploymentCommits = sqliteTable(
  "deployment_commits",
  {
    deploymentId: text("deployment_id")
      .notNull()
      .references(() => deployments.id, { onDelete: "cascade" }),
    sha: text("sha").notNull(),
    repository: text("repository").notNull().default(""),
    branch: text("branch"),
    message: text("message"),
    committedAt: text("committed_at"),
    authoredAt: text("authored_at"),
  },
  (t) => [
    primaryKey({ columns: [t.deploymentId, t.sha, t.repository] }),
    // Covering for the recompute's lookups by sha (rollbacks, lead-time commit times).
    index("deployment_commits_sha").on(t.sha, t.deploymentId, t.committedAt, t.authoredAt),
  ],
);

/** Incidents, and other issue types that are stored but never counted (`counted` = 0). */
export const incidents = sqliteTable(
  "incidents",
  {
    id: text("id").primaryKey(),
    integrationId: text("integration_id").notNull(),
    dedupKey: text("dedup_key").notNull(),
    seq: integer("seq").notNull(),
    lastSeq: integer("last_seq").notNull(),
    service: text("service").notNull(),
    serviceName: text("service_name").notNull(),
    environment: text("environment").notNull(),
    environmentRaw: text("environment_raw"),
    status: text("status").notNull(),
    counted: integer("counted", { mode: "boolean" }).notNull(),
    /** `P1` (highest) to `P5`, null when the vendor gave none or one we cannot map. */
    priority: text("priority"),
    /** The vendor's own priority or severity, as given. */
    priorityRaw: text("priority_raw"),
    /** `high` or `low` (PagerDuty), else null. */
    urgency: text("urgency"),
    title: text("title"),
    url: text("url"),
    createdAt: text("created_at").notNull(),
    resolvedAt: text("resolved_at"),
    receivedAt: text("received_at").notNull(),
    linkChangeId: text("link_change_id"),
    linkDeploymentId: text("link_deployment_id"),
    linkCommitSha: text("link_commit_sha"),
    /** The payload as D1 kept it before payloads moved to R2; empty once moved (see `rawPayloads`). */
    raw: text("raw").notNull(),
  },
  (t) => [
    uniqueIndex("incidents_integration_dedup").on(t.integrationId, t.dedupKey),
    index("incidents_service_env_time").on(t.service, t.environment, t.createdAt),
    index("incidents_time").on(t.createdAt, t.id),
    index("incidents_service_name_lower").on(sql`lower(${t.serviceName})`, t.serviceName),
  ],
);

/** CI runs (Harness SEI `ci: true`): when their commits were first seen, for lead time. */
export const ciRuns = sqliteTable(
  "ci_runs",
  {
    id: text("id").primaryKey(),
    integrationId: text("integration_id").notNull(),
    dedupKey: text("dedup_key"),
    seq: integer("seq").notNull(),
    lastSeq: integer("last_seq").notNull(),
    service: text("service").notNull(),
    serviceName: text("service_name").notNull(),
    status: text("status").notNull(),
    startedAt: text("started_at").notNull(),
    finishedAt: text("finished_at"),
    receivedAt: text("received_at").notNull(),
    /** The payload as D1 kept it before payloads moved to R2; empty once moved (see `rawPayloads`). */
    raw: text("raw").notNull(),
  },
  (t) => [
    uniqueIndex("ci_runs_integration_dedup").on(t.integrationId, t.dedupKey),
    index("ci_runs_service_name_lower").on(sql`lower(${t.serviceName})`),
  ],
);

/** The commits a CI run saw. */
export const ciRunCommits = sqliteTable(
  "ci_run_commits",
  {
    ciRunId: text("ci_run_id")
      .notNull()
      .references(() => ciRuns.id, { onDelete: "cascade" }),
    sha: text("sha").notNull(),
  },
  (t) => [primaryKey({ columns: [t.ciRunId, t.sha] }), index("ci_run_commits_sha").on(t.sha)],
);

/*
 * Metrics (docs/metrics.md). Everything below is derived by the recompute job (src/metrics/recompute/)
 * from the tables above and rebuilt where the change feeds say something moved. `service` here is
 * the service as the catalog resolves `service_name` at recompute time, so a catalog change
 * re-attributes past events.
 */

/*
 * The recompute's queues below (`metric_changes` to `metric_work_ids`) are WITHOUT ROWID, like
 * `deploymentCommits`: each row written is one B-tree entry, not a row and a key.
 */

/** Records the outbox drain wrote since the last recompute (`kind`: deployment, incident, ci_run). */
export const metricChanges = sqliteTable("metric_changes", { kind: text("kind").notNull(), id: text("id").notNull() }, (t) => [
  primaryKey({ columns: [t.kind, t.id] }),
]);

/** Catalog keys whose meaning changed (`kind`: name = lower-cased alias, repository = repository key). */
export const metricDirtyNames = sqliteTable("metric_dirty_names", { kind: text("kind").notNull(), key: text("key").notNull() }, (t) => [
  primaryKey({ columns: [t.kind, t.key] }),
]);

/** (service, environment, day) whose derived data must be rebuilt, from that day on. */
export const metricDirty = sqliteTable(
  "metric_dirty",
  { service: text("service").notNull(), environment: text("environment").notNull(), day: text("day").notNull() },
  (t) => [primaryKey({ columns: [t.service, t.environment, t.day] })],
);

/** The (service, environment) groups one recompute step is rebuilding, with where to start. */
export const metricWork = sqliteTable(
  "metric_work",
  {
    service: text("service").notNull(),
    environment: text("environment").notNull(),
    /** Start (ISO time) of the first dirty day: flags, samples and links are rebuilt from here. */
    fromAt: text("from_at").notNull(),
    /** The last counted deployment before `from_at` (or `from_at`): its failure may change. */
    prevAt: text("prev_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.service, t.environment] })],
);

/** Ids a recompute step works on: changed records (phase 1) or deployments to re-flag (phase 2). */
export const metricWorkIds = sqliteTable("metric_work_ids", { kind: text("kind").notNull(), id: text("id").notNull() }, (t) => [
  primaryKey({ columns: [t.kind, t.id] }),
]);

/** Finished, failed and aborted deployments with their derived flags. */
export const metricDeployments = sqliteTable(
  "metric_deployments",
  {
    id: text("id").notNull(),
    service: text("service").notNull(),
    environment: text("environment").notNull(),
    /** The deployment's time: `finished_at`, else the best time the event gave. */
    at: text("at").notNull(),
    day: text("day").notNull(),
    /** 1 for `success` (a counted deployment), 0 for failure or aborted (`unsuccessful`). */
    counted: integer("counted").notNull(),
    kind: text("kind"),
    rollback: integer("rollback").notNull().default(0),
    rework: integer("rework").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    /** When a failed deployment recovered; null while it has not. */
    recoveredAt: text("recovered_at"),
    recoverySeconds: real("recovery_seconds"),
  },
  (t) => [
    // Keyed by group order, WITHOUT ROWID (migration 0016): a full rebuild appends each row to this one
    // B-tree, and the phases' reads of a group walk it. No index by id, which would take the rows in
    // random order: `metricDeploymentIds` finds a row by id.
    primaryKey({ columns: [t.service, t.environment, t.at, t.id] }),
    // Only failed deployments: the reads look here for recovery times alone (covering, so an ad-hoc
    // window reads no table rows), and the full rebuild's copy skips it.
    index("metric_deployments_failed_day").on(t.environment, t.day, t.service, t.counted, t.recoverySeconds).where(sql`${t.failed} = 1`),
  ],
);

/**
 * Where each row of `metricDeployments` is, by deployment id: its group, time and whether it counts,
 * which is all that most lookups by id need, and the rest of the row's key in `metric_deployments`.
 * WITHOUT ROWID (migration 0015), keyed by the id: a full rebuild fills it in the events' own order,
 * close to id order, so that its B-tree is appended to rather than written at random.
 */
export const metricDeploymentIds = sqliteTable("metric_deployment_ids", {
  id: text("id").primaryKey(),
  service: text("service").notNull(),
  environment: text("environment").notNull(),
  at: text("at").notNull(),
  counted: integer("counted").notNull(),
});

/**
 * The rows of `metric_deployments` that the lookups `metric_deployment_ids k` point at, as `m`: found
 * by the table's key, which the lookup gives whole.
 */
export const ROW_OF_LOOKUP = "metric_deployments m ON m.service = k.service AND m.environment = k.environment AND m.at = k.at AND m.id = k.id";

/** Counted incidents with their link to a deployment. */
export const metricIncidents = sqliteTable(
  "metric_incidents",
  {
    id: text("id").primaryKey(),
    service: text("service").notNull(),
    environment: text("environment").notNull(),
    createdAt: text("created_at").notNull(),
    day: text("day").notNull(),
    resolvedAt: text("resolved_at"),
    resolvedDay: text("resolved_day"),
    restoreSeconds: real("restore_seconds"),
    linkChangeId: text("link_change_id"),
    linkDeploymentId: text("link_deployment_id"),
    linkCommitSha: text("link_commit_sha"),
    deploymentId: text("deployment_id"),
    /** How it was linked: `explicit`, `time`, or null when unlinked. */
    linkedBy: text("linked_by"),
  },
  (t) => [
    index("metric_incidents_group").on(t.service, t.environment, t.createdAt),
    // Covering for the time-to-restore read of a window.
    index("metric_incidents_resolved").on(t.environment, t.resolvedDay, t.service, t.restoreSeconds),
    index("metric_incidents_deployment").on(t.deploymentId),
    index("metric_incidents_link_change").on(t.linkChangeId),
    index("metric_incidents_link_deployment").on(t.linkDeploymentId),
    index("metric_incidents_link_sha").on(t.linkCommitSha),
  ],
);

/**
 * One row per (counted deployment, commit). A commit reaching its environment for the first time is a
 * sample: `seconds` is null without a commit time and negative for clock skew (counted as dropped). A
 * commit an earlier counted deployment of the same service and environment carried is `repeated`, with
 * null `seconds`: no sample, but what the recompute's rollback detection looks at.
 */
export const metricLeadSamples = sqliteTable(
  "metric_lead_samples",
  {
    deploymentId: text("deployment_id").notNull(),
    sha: text("sha").notNull(),
    service: text("service").notNull(),
    environment: text("environment").notNull(),
    day: text("day").notNull(),
    repeated: integer("repeated").notNull().default(0),
    seconds: real("seconds"),
  },
  // No key of its own and no index by group: the job writes each (deployment, sha) once and finds a
  // group's rows through the reads' index. Every index here costs a write per row (the partial one
  // only per repeated commit).
  (t) => [
    index("metric_lead_samples_day").on(t.environment, t.day, t.service, t.seconds),
    index("metric_lead_samples_repeated").on(t.service, t.environment, t.day).where(sql`${t.repeated} = 1`),
  ],
);

/** Per-day counts per service and environment; the samples stay in the tables above. WITHOUT ROWID, like `deploymentCommits`. */
export const metricDays = sqliteTable(
  "metric_days",
  {
    service: text("service").notNull(),
    environment: text("environment").notNull(),
    day: text("day").notNull(),
    deployments: integer("deployments").notNull(),
    unsuccessful: integer("unsuccessful").notNull(),
    failed: integer("failed").notNull(),
    rework: integer("rework").notNull(),
  },
  (t) => [primaryKey({ columns: [t.environment, t.day, t.service] }), index("metric_days_group").on(t.service, t.environment, t.day)],
);

/** Each catalogued service's team as of the last recompute, so team figures match their snapshots. */
export const metricTeams = sqliteTable("metric_teams", { service: text("service").primaryKey(), team: text("team").notNull() }, (t) => [
  index("metric_teams_team").on(t.team),
]);

/** The standard windows' figures as of the last recompute (`scope`: all, service, team). */
export const metricSnapshots = sqliteTable(
  "metric_snapshots",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    environment: text("environment").notNull(),
    fromDay: text("from_day").notNull(),
    toDay: text("to_day").notNull(),
    body: text("body").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key, t.environment, t.fromDay, t.toDay] })],
);

/** The job's state: when the last recompute finished, whether a full one is pending, and how far it got. */
export const metricState = sqliteTable("metric_state", {
  id: integer("id").primaryKey(),
  asOf: text("as_of"),
  fullPending: integer("full_pending").notNull().default(0),
  /** The environment aliases the stored events were last normalised with, as JSON; null for none. */
  environmentAliases: text("environment_aliases"),
  /** Where a full rebuild is: `ids`, `samples`, `copy`, then `derive`; null when the next one starts by clearing. */
  fullStage: text("full_stage"),
  /**
   * What the current stage finished last: an event's rowid in `ids`, a deployment id in `samples`, a
   * service in `copy` (the events' own) and `derive` (the catalog's).
   */
  fullAfter: text("full_after"),
  /** The services of the chunk the `derive` stage is on, first and last: what its statements read. */
  chunkFirst: text("chunk_first"),
  chunkLast: text("chunk_last"),
});

/** The R2 objects that hold original payloads, one per drain batch; references name them by `id`. */
export const rawObjects = sqliteTable("raw_objects", { id: integer("id").primaryKey(), key: text("key").notNull() }, (t) => [uniqueIndex("raw_objects_key").on(t.key)]);

/**
 * Where each delivery's original body lives in R2: one gzip member of `length` bytes at `offset` in
 * the object `object_id`. `seq` is the delivery's sequence number (the record's `last_seq` when it
 * was written). References go when retention deletes their object. WITHOUT ROWID, like `deploymentCommits`.
 */
export const rawPayloads = sqliteTable(
  "raw_payloads",
  {
    recordId: text("record_id").notNull(),
    seq: integer("seq").notNull(),
    receivedAt: text("received_at").notNull(),
    objectId: integer("object_id").notNull(),
    offset: integer("offset").notNull(),
    length: integer("length").notNull(),
  },
  (t) => [primaryKey({ columns: [t.recordId, t.seq] })],
);
