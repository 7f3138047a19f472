CREATE TABLE `metric_changes` (
	`kind` text NOT NULL,
	`id` text NOT NULL,
	PRIMARY KEY(`kind`, `id`)
);
--> statement-breakpoint
CREATE TABLE `metric_days` (
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`day` text NOT NULL,
	`deployments` integer NOT NULL,
	`unsuccessful` integer NOT NULL,
	`failed` integer NOT NULL,
	`rework` integer NOT NULL,
	PRIMARY KEY(`environment`, `day`, `service`)
);
--> statement-breakpoint
CREATE INDEX `metric_days_group` ON `metric_days` (`service`,`environment`,`day`);--> statement-breakpoint
CREATE TABLE `metric_deployments` (
	`id` text PRIMARY KEY NOT NULL,
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`at` text NOT NULL,
	`day` text NOT NULL,
	`counted` integer NOT NULL,
	`kind` text,
	`change_id` text,
	`dedup_key` text,
	`prev_id` text,
	`next_id` text,
	`rollback` integer DEFAULT 0 NOT NULL,
	`rework` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`recovered_at` text,
	`recovery_seconds` real
);
--> statement-breakpoint
CREATE INDEX `metric_deployments_group` ON `metric_deployments` (`service`,`environment`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `metric_deployments_day` ON `metric_deployments` (`environment`,`day`,`service`);--> statement-breakpoint
CREATE INDEX `metric_deployments_change` ON `metric_deployments` (`change_id`);--> statement-breakpoint
CREATE INDEX `metric_deployments_dedup` ON `metric_deployments` (`dedup_key`);--> statement-breakpoint
CREATE TABLE `metric_dirty` (
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`day` text NOT NULL,
	PRIMARY KEY(`service`, `environment`, `day`)
);
--> statement-breakpoint
CREATE TABLE `metric_dirty_names` (
	`kind` text NOT NULL,
	`key` text NOT NULL,
	PRIMARY KEY(`kind`, `key`)
);
--> statement-breakpoint
CREATE TABLE `metric_incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`created_at` text NOT NULL,
	`day` text NOT NULL,
	`resolved_at` text,
	`resolved_day` text,
	`restore_seconds` real,
	`link_change_id` text,
	`link_deployment_id` text,
	`link_commit_sha` text,
	`deployment_id` text,
	`linked_by` text
);
--> statement-breakpoint
CREATE INDEX `metric_incidents_group` ON `metric_incidents` (`service`,`environment`,`created_at`);--> statement-breakpoint
CREATE INDEX `metric_incidents_resolved` ON `metric_incidents` (`environment`,`resolved_day`,`service`);--> statement-breakpoint
CREATE INDEX `metric_incidents_deployment` ON `metric_incidents` (`deployment_id`);--> statement-breakpoint
CREATE INDEX `metric_incidents_link_change` ON `metric_incidents` (`link_change_id`);--> statement-breakpoint
CREATE INDEX `metric_incidents_link_deployment` ON `metric_incidents` (`link_deployment_id`);--> statement-breakpoint
CREATE INDEX `metric_incidents_link_sha` ON `metric_incidents` (`link_commit_sha`);--> statement-breakpoint
CREATE TABLE `metric_lead_samples` (
	`deployment_id` text NOT NULL,
	`sha` text NOT NULL,
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`day` text NOT NULL,
	`seconds` real,
	PRIMARY KEY(`deployment_id`, `sha`)
);
--> statement-breakpoint
CREATE INDEX `metric_lead_samples_day` ON `metric_lead_samples` (`environment`,`day`,`service`,`seconds`);--> statement-breakpoint
CREATE INDEX `metric_lead_samples_sha` ON `metric_lead_samples` (`sha`);--> statement-breakpoint
CREATE INDEX `metric_lead_samples_group` ON `metric_lead_samples` (`service`,`environment`,`day`);--> statement-breakpoint
CREATE TABLE `metric_snapshots` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`environment` text NOT NULL,
	`from_day` text NOT NULL,
	`to_day` text NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`scope`, `key`, `environment`, `from_day`, `to_day`)
);
--> statement-breakpoint
CREATE TABLE `metric_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`as_of` text,
	`full_pending` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `metric_teams` (
	`service` text PRIMARY KEY NOT NULL,
	`team` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `metric_teams_team` ON `metric_teams` (`team`);--> statement-breakpoint
CREATE TABLE `metric_work` (
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`from_at` text NOT NULL,
	`prev_at` text NOT NULL,
	PRIMARY KEY(`service`, `environment`)
);
--> statement-breakpoint
CREATE TABLE `metric_work_ids` (
	`kind` text NOT NULL,
	`id` text NOT NULL,
	PRIMARY KEY(`kind`, `id`)
);
--> statement-breakpoint
CREATE INDEX `ci_runs_service_name_lower` ON `ci_runs` (lower("service_name"));--> statement-breakpoint
CREATE INDEX `deployments_service_name_lower` ON `deployments` (lower("service_name"));--> statement-breakpoint
CREATE INDEX `incidents_service_name_lower` ON `incidents` (lower("service_name"));