ALTER TABLE `integrations` ADD `previous_secret_hash` text;--> statement-breakpoint
ALTER TABLE `integrations` ADD `previous_secret_expires_at` text;--> statement-breakpoint
CREATE INDEX `integrations_previous_secret_hash` ON `integrations` (`previous_secret_hash`);