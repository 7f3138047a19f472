DROP INDEX `metric_lead_samples_group`;--> statement-breakpoint
DROP INDEX `metric_deployments_id`;--> statement-breakpoint
CREATE INDEX `metric_deployments_id` ON `metric_deployments` (`id`,`service`,`environment`,`at`,`day`,`counted`);