CREATE TABLE `raw_payloads` (
	`record_id` text NOT NULL,
	`seq` integer NOT NULL,
	`received_at` text NOT NULL,
	`object_key` text NOT NULL,
	`offset` integer NOT NULL,
	`length` integer NOT NULL,
	PRIMARY KEY(`record_id`, `seq`)
);
