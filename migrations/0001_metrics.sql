DROP INDEX `metric_deployments_group`;--> statement-breakpoint
CREATE INDEX `metric_deployments_group` ON `metric_deployments` (`service`,`environment`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `metric_days_group` ON `metric_days` (`service`,`environment`,`day`);--> statement-breakpoint
CREATE INDEX `metric_lead_samples_group` ON `metric_lead_samples` (`service`,`environment`,`day`);