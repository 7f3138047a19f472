CREATE TABLE `metric_work_commits` (
	`rid` integer NOT NULL,
	`id` text NOT NULL,
	`sha` text NOT NULL,
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`at` text NOT NULL,
	`day` text NOT NULL,
	`prev` text,
	`earlier` integer NOT NULL
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_metric_deployments` (
	`id` text NOT NULL,
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`at` text NOT NULL,
	`day` text NOT NULL,
	`counted` integer NOT NULL,
	`kind` text,
	`rollback` integer DEFAULT 0 NOT NULL,
	`rework` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`recovered_at` text,
	`recovery_seconds` real
);
--> statement-breakpoint
INSERT INTO `__new_metric_deployments`("id", "service", "environment", "at", "day", "counted", "kind", "rollback", "rework", "failed", "recovered_at", "recovery_seconds") SELECT "id", "service", "environment", "at", "day", "counted", "kind", "rollback", "rework", "failed", "recovered_at", "recovery_seconds" FROM `metric_deployments`;--> statement-breakpoint
DROP TABLE `metric_deployments`;--> statement-breakpoint
ALTER TABLE `__new_metric_deployments` RENAME TO `metric_deployments`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `metric_deployments_id` ON `metric_deployments` (`id`);--> statement-breakpoint
CREATE INDEX `metric_deployments_group` ON `metric_deployments` (`service`,`environment`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `metric_deployments_failed_day` ON `metric_deployments` (`environment`,`day`,`service`,`counted`,`recovery_seconds`) WHERE "metric_deployments"."failed" = 1;