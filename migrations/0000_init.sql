CREATE TABLE `ci_run_commits` (
	`ci_run_id` text NOT NULL,
	`sha` text NOT NULL,
	PRIMARY KEY(`ci_run_id`, `sha`),
	FOREIGN KEY (`ci_run_id`) REFERENCES `ci_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ci_run_commits_sha` ON `ci_run_commits` (`sha`);--> statement-breakpoint
CREATE TABLE `ci_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`integration_id` text NOT NULL,
	`dedup_key` text,
	`seq` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`service` text NOT NULL,
	`service_name` text NOT NULL,
	`status` text NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text,
	`received_at` text NOT NULL,
	`raw` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ci_runs_integration_dedup` ON `ci_runs` (`integration_id`,`dedup_key`);--> statement-breakpoint
CREATE TABLE `deployment_commits` (
	`deployment_id` text NOT NULL,
	`sha` text NOT NULL,
	`repository` text DEFAULT '' NOT NULL,
	`branch` text,
	`message` text,
	`committed_at` text,
	`authored_at` text,
	PRIMARY KEY(`deployment_id`, `sha`, `repository`),
	FOREIGN KEY (`deployment_id`) REFERENCES `deployments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deployment_commits_sha` ON `deployment_commits` (`sha`);--> statement-breakpoint
CREATE TABLE `deployments` (
	`id` text PRIMARY KEY NOT NULL,
	`integration_id` text NOT NULL,
	`dedup_key` text,
	`seq` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`service` text NOT NULL,
	`service_name` text NOT NULL,
	`environment` text NOT NULL,
	`environment_raw` text,
	`status` text NOT NULL,
	`kind` text,
	`started_at` text,
	`finished_at` text,
	`occurred_at` text NOT NULL,
	`received_at` text NOT NULL,
	`deploy_number` text,
	`change_id` text,
	`url` text,
	`description` text,
	`deployer_name` text,
	`deployer_email` text,
	`raw` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deployments_integration_dedup` ON `deployments` (`integration_id`,`dedup_key`);--> statement-breakpoint
CREATE INDEX `deployments_service_env_time` ON `deployments` (`service`,`environment`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `deployments_time` ON `deployments` (`occurred_at`,`id`);--> statement-breakpoint
CREATE INDEX `deployments_integration_seq` ON `deployments` (`integration_id`,`seq`);--> statement-breakpoint
CREATE INDEX `deployments_service_name` ON `deployments` (`service_name`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`integration_id` text NOT NULL,
	`dedup_key` text NOT NULL,
	`seq` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`service` text NOT NULL,
	`service_name` text NOT NULL,
	`environment` text NOT NULL,
	`environment_raw` text,
	`status` text NOT NULL,
	`counted` integer NOT NULL,
	`title` text,
	`url` text,
	`created_at` text NOT NULL,
	`resolved_at` text,
	`received_at` text NOT NULL,
	`link_change_id` text,
	`link_deployment_id` text,
	`link_commit_sha` text,
	`raw` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_integration_dedup` ON `incidents` (`integration_id`,`dedup_key`);--> statement-breakpoint
CREATE INDEX `incidents_service_env_time` ON `incidents` (`service`,`environment`,`created_at`);--> statement-breakpoint
CREATE INDEX `incidents_time` ON `incidents` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `incidents_service_name` ON `incidents` (`service_name`);--> statement-breakpoint
CREATE TABLE `integrations` (
	`id` text PRIMARY KEY NOT NULL,
	`vendor` text NOT NULL,
	`name` text NOT NULL,
	`default_service` text,
	`default_environment` text,
	`secret_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`deleted_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `integrations_secret_hash` ON `integrations` (`secret_hash`);--> statement-breakpoint
CREATE TABLE `service_aliases` (
	`alias` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	FOREIGN KEY (`slug`) REFERENCES `services`(`slug`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `service_aliases_slug` ON `service_aliases` (`slug`);--> statement-breakpoint
CREATE TABLE `service_repositories` (
	`repo_key` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`url` text NOT NULL,
	FOREIGN KEY (`slug`) REFERENCES `services`(`slug`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `service_repositories_slug` ON `service_repositories` (`slug`);--> statement-breakpoint
CREATE TABLE `service_suggestions` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`match_key` text NOT NULL,
	`first_seen_at` text NOT NULL,
	`last_seen_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `services` (
	`slug` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`team` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_token_hash` ON `tokens` (`token_hash`);