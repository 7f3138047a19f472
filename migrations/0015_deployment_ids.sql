CREATE TABLE `metric_deployment_ids` (
	`id` text PRIMARY KEY NOT NULL,
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`at` text NOT NULL,
	`counted` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `metric_deployment_ids` (`id`, `service`, `environment`, `at`, `counted`) SELECT `id`, `service`, `environment`, `at`, `counted` FROM `metric_deployments` INDEXED BY `metric_deployments_id` ORDER BY `id`;--> statement-breakpoint
DROP INDEX `metric_deployments_id`;--> statement-breakpoint
UPDATE `metric_state` SET `full_stage` = NULL, `full_after` = NULL WHERE `full_stage` IS NOT NULL;
