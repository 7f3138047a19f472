PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_deployment_commits` (
	`deployment_id` text NOT NULL,
	`sha` text NOT NULL,
	`repository` text DEFAULT '' NOT NULL,
	`branch` text,
	`message` text,
	`committed_at` text,
	`authored_at` text,
	PRIMARY KEY(`deployment_id`, `sha`, `repository`),
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_deployment_commits`("deployment_id", "sha", "repository", "branch", "message", "committed_at", "authored_at") SELECT "deployment_id", "sha", "repository", "branch", "message", "committed_at", "authored_at" FROM `deployment_commits` ORDER BY "deployment_id", "sha", "repository";--> statement-breakpoint
DROP TABLE `deployment_commits`;--> statement-breakpoint
ALTER TABLE `__new_deployment_commits` RENAME TO `deployment_commits`;--> statement-breakpoint
CREATE INDEX `deployment_commits_sha` ON `deployment_commits` (`sha`,`deployment_id`,`committed_at`,`authored_at`);--> statement-breakpoint
CREATE TABLE `__new_raw_payloads` (
	`record_id` text NOT NULL,
	`seq` integer NOT NULL,
	`received_at` text NOT NULL,
	`object_id` integer NOT NULL,
	`offset` integer NOT NULL,
	`length` integer NOT NULL,
	PRIMARY KEY(`record_id`, `seq`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_raw_payloads`("record_id", "seq", "received_at", "object_id", "offset", "length") SELECT "record_id", "seq", "received_at", "object_id", "offset", "length" FROM `raw_payloads` ORDER BY "record_id", "seq";--> statement-breakpoint
DROP TABLE `raw_payloads`;--> statement-breakpoint
ALTER TABLE `__new_raw_payloads` RENAME TO `raw_payloads`;--> statement-breakpoint
CREATE TABLE `__new_metric_days` (
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`day` text NOT NULL,
	`deployments` integer NOT NULL,
	`unsuccessful` integer NOT NULL,
	`failed` integer NOT NULL,
	`rework` integer NOT NULL,
	PRIMARY KEY(`environment`, `day`, `service`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_metric_days`("service", "environment", "day", "deployments", "unsuccessful", "failed", "rework") SELECT "service", "environment", "day", "deployments", "unsuccessful", "failed", "rework" FROM `metric_days` ORDER BY "environment", "day", "service";--> statement-breakpoint
DROP TABLE `metric_days`;--> statement-breakpoint
ALTER TABLE `__new_metric_days` RENAME TO `metric_days`;--> statement-breakpoint
CREATE INDEX `metric_days_group` ON `metric_days` (`service`,`environment`,`day`);--> statement-breakpoint
CREATE TABLE `__new_metric_changes` (
	`kind` text NOT NULL,
	`id` text NOT NULL,
	PRIMARY KEY(`kind`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_metric_changes`("kind", "id") SELECT "kind", "id" FROM `metric_changes`;--> statement-breakpoint
DROP TABLE `metric_changes`;--> statement-breakpoint
ALTER TABLE `__new_metric_changes` RENAME TO `metric_changes`;--> statement-breakpoint
CREATE TABLE `__new_metric_dirty_names` (
	`kind` text NOT NULL,
	`key` text NOT NULL,
	PRIMARY KEY(`kind`, `key`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_metric_dirty_names`("kind", "key") SELECT "kind", "key" FROM `metric_dirty_names`;--> statement-breakpoint
DROP TABLE `metric_dirty_names`;--> statement-breakpoint
ALTER TABLE `__new_metric_dirty_names` RENAME TO `metric_dirty_names`;--> statement-breakpoint
CREATE TABLE `__new_metric_dirty` (
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`day` text NOT NULL,
	PRIMARY KEY(`service`, `environment`, `day`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_metric_dirty`("service", "environment", "day") SELECT "service", "environment", "day" FROM `metric_dirty`;--> statement-breakpoint
DROP TABLE `metric_dirty`;--> statement-breakpoint
ALTER TABLE `__new_metric_dirty` RENAME TO `metric_dirty`;--> statement-breakpoint
CREATE TABLE `__new_metric_work_ids` (
	`kind` text NOT NULL,
	`id` text NOT NULL,
	PRIMARY KEY(`kind`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_metric_work_ids`("kind", "id") SELECT "kind", "id" FROM `metric_work_ids`;--> statement-breakpoint
DROP TABLE `metric_work_ids`;--> statement-breakpoint
ALTER TABLE `__new_metric_work_ids` RENAME TO `metric_work_ids`;--> statement-breakpoint
CREATE TABLE `__new_metric_work` (
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`from_at` text NOT NULL,
	`prev_at` text NOT NULL,
	PRIMARY KEY(`service`, `environment`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_metric_work`("service", "environment", "from_at", "prev_at") SELECT "service", "environment", "from_at", "prev_at" FROM `metric_work`;--> statement-breakpoint
DROP TABLE `metric_work`;--> statement-breakpoint
ALTER TABLE `__new_metric_work` RENAME TO `metric_work`;--> statement-breakpoint
DROP INDEX `deployments_change_id`;--> statement-breakpoint
CREATE INDEX `deployments_change_id` ON `deployments` (`change_id`) WHERE "deployments"."change_id" IS NOT NULL;--> statement-breakpoint
PRAGMA foreign_keys=ON;
