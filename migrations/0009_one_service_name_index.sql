DROP INDEX `deployments_integration_seq`;--> statement-breakpoint
DROP INDEX `deployments_service_name`;--> statement-breakpoint
DROP INDEX `deployments_service_name_lower`;--> statement-breakpoint
CREATE INDEX `deployments_service_name_lower` ON `deployments` (lower("service_name"),`service_name`);--> statement-breakpoint
DROP INDEX `incidents_service_name`;--> statement-breakpoint
DROP INDEX `incidents_service_name_lower`;--> statement-breakpoint
CREATE INDEX `incidents_service_name_lower` ON `incidents` (lower("service_name"),`service_name`);