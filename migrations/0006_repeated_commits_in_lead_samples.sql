DROP TABLE `metric_work_commits`;--> statement-breakpoint
ALTER TABLE `metric_lead_samples` ADD `repeated` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `metric_lead_samples_repeated` ON `metric_lead_samples` (`service`,`environment`,`day`) WHERE "metric_lead_samples"."repeated" = 1;