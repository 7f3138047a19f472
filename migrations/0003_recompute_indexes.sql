DROP INDEX `metric_deployments_day`;--> statement-breakpoint
DROP INDEX `metric_deployments_change`;--> statement-breakpoint
DROP INDEX `metric_deployments_dedup`;--> statement-breakpoint
CREATE INDEX `metric_deployments_failed_day` ON `metric_deployments` (`environment`,`day`,`service`) WHERE "metric_deployments"."failed" = 1;--> statement-breakpoint
ALTER TABLE `metric_deployments` DROP COLUMN `change_id`;--> statement-breakpoint
ALTER TABLE `metric_deployments` DROP COLUMN `dedup_key`;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_metric_lead_samples` (
	`deployment_id` text NOT NULL,
	`sha` text NOT NULL,
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`day` text NOT NULL,
	`seconds` real
);
--> statement-breakpoint
INSERT INTO `__new_metric_lead_samples`("deployment_id", "sha", "service", "environment", "day", "seconds") SELECT "deployment_id", "sha", "service", "environment", "day", "seconds" FROM `metric_lead_samples`;--> statement-breakpoint
DROP TABLE `metric_lead_samples`;--> statement-breakpoint
ALTER TABLE `__new_metric_lead_samples` RENAME TO `metric_lead_samples`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `metric_lead_samples_day` ON `metric_lead_samples` (`environment`,`day`,`service`,`seconds`);--> statement-breakpoint
CREATE INDEX `metric_lead_samples_group` ON `metric_lead_samples` (`service`,`environment`,`day`);--> statement-breakpoint
DROP INDEX `deployment_commits_sha`;--> statement-breakpoint
CREATE INDEX `deployment_commits_sha` ON `deployment_commits` (`sha`,`deployment_id`,`committed_at`,`authored_at`);--> statement-breakpoint
CREATE INDEX `deployments_change_id` ON `deployments` (`change_id`);--> statement-breakpoint
CREATE INDEX `deployments_dedup_key` ON `deployments` (`dedup_key`);