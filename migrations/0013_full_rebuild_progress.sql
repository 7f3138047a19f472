ALTER TABLE `metric_state` ADD `full_stage` text;--> statement-breakpoint
ALTER TABLE `metric_state` ADD `full_after` text;--> statement-breakpoint
ALTER TABLE `metric_state` ADD `chunk_first` text;--> statement-breakpoint
ALTER TABLE `metric_state` ADD `chunk_last` text;