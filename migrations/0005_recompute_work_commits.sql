CREATE TABLE `metric_work_commits` (
	`rid` integer NOT NULL,
	`id` text NOT NULL,
	`sha` text NOT NULL,
	`service` text NOT NULL,
	`environment` text NOT NULL,
	`at` text NOT NULL,
	`day` text NOT NULL,
	`prev` text,
	`earlier` integer NOT NULL
);
