DROP INDEX `metric_deployments_failed_day`;--> statement-breakpoint
CREATE INDEX `metric_deployments_failed_day` ON `metric_deployments` (`environment`,`day`,`service`,`counted`,`recovery_seconds`) WHERE "metric_deployments"."failed" = 1;--> statement-breakpoint
DROP INDEX `metric_incidents_resolved`;--> statement-breakpoint
CREATE INDEX `metric_incidents_resolved` ON `metric_incidents` (`environment`,`resolved_day`,`service`,`restore_seconds`);