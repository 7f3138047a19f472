CREATE TABLE `metric_deployment_ids` (
	`id` text PRIMARY KEY NOT NULL,
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`at` text NOT NULL,
	`counted` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
DROP INDEX `metric_deployments_id`;--> statement-breakpoint
UPDATE `metric_state` SET `full_pending` = 1, `full_stage` = 'restart', `full_after` = NULL;
