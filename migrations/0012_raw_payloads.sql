CREATE TABLE `raw_objects` (
	`id` integer PRIMARY KEY NOT NULL,
	`key` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `raw_objects_key` ON `raw_objects` (`key`);--> statement-breakpoint
CREATE TABLE `raw_payloads` (
	`record_id` text NOT NULL,
	`seq` integer NOT NULL,
	`received_at` text NOT NULL,
	`object_id` integer NOT NULL,
	`offset` integer NOT NULL,
	`length` integer NOT NULL,
	PRIMARY KEY(`record_id`, `seq`)
);
