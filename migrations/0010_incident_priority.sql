ALTER TABLE `incidents` ADD `priority` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `priority_raw` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `urgency` text;--> statement-breakpoint
ALTER TABLE `integrations` ADD `incident_rule` text;