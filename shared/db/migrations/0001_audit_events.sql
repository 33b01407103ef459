CREATE TABLE `audit_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`version` integer NOT NULL,
	`key` text NOT NULL,
	`topic` text NOT NULL,
	`partition` integer NOT NULL,
	`offset` integer NOT NULL,
	`occurred_at` text NOT NULL,
	`correlation_id` text NOT NULL,
	`source` text NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_events_key_idx` ON `audit_events` (`key`,`occurred_at`);