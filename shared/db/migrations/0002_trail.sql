CREATE TABLE `driver_trail` (
	`driver_id` text NOT NULL,
	`recorded_at` integer NOT NULL,
	`lat` real NOT NULL,
	`lng` real NOT NULL,
	`speed` real,
	`heading` real,
	`accuracy` real,
	PRIMARY KEY(`driver_id`, `recorded_at`)
);
--> statement-breakpoint
CREATE INDEX `driver_trail_recorded_at_idx` ON `driver_trail` (`recorded_at`);