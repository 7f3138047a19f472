/**
 * @module
 * The D1 schema: integrations and tokens, the service catalog, and the stored events.
 * Times are UTC ISO 8601 strings with milliseconds, so text order is time order.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
    raw: text("raw").notNull(),
  },
  (t) => [
    uniqueIndex("deployments_integration_dedup").on(t.integrationId, t.dedupKey),
    index("deployments_service_env_time").on(t.service, t.environment, t.occurredAt),
    index("deployments_time").on(t.occurredAt, t.id),
    index("deployments_integration_seq").on(t.integrationId, t.seq),
    index("deployments_service_name").on(t.serviceName),
  ],
);

/** The commits a deployment shipped, with the commit times the payload gave. */
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
  (t) => [primaryKey({ columns: [t.deploymentId, t.sha, t.repository] }), index("deployment_commits_sha").on(t.sha)],
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
    title: text("title"),
    url: text("url"),
    createdAt: text("created_at").notNull(),
    resolvedAt: text("resolved_at"),
    receivedAt: text("received_at").notNull(),
    linkChangeId: text("link_change_id"),
    linkDeploymentId: text("link_deployment_id"),
    linkCommitSha: text("link_commit_sha"),
    raw: text("raw").notNull(),
  },
  (t) => [
    uniqueIndex("incidents_integration_dedup").on(t.integrationId, t.dedupKey),
    index("incidents_service_env_time").on(t.service, t.environment, t.createdAt),
    index("incidents_time").on(t.createdAt, t.id),
    index("incidents_service_name").on(t.serviceName),
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
    raw: text("raw").notNull(),
  },
  (t) => [uniqueIndex("ci_runs_integration_dedup").on(t.integrationId, t.dedupKey)],
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
