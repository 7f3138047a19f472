DROP TABLE `metric_deployments`;--> statement-breakpoint
CREATE TABLE `metric_deployments` (
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
	`recovery_seconds` real,
	PRIMARY KEY(`service`, `environment`, `at`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `metric_deployments_failed_day` ON `metric_deployments` (`environment`,`day`,`service`,`counted`,`recovery_seconds`) WHERE "metric_deployments"."failed" = 1;--> statement-breakpoint
UPDATE `metric_state` SET `full_pending` = 1, `full_stage` = 'restart', `full_after` = NULL;
