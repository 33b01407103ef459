CREATE TABLE `driver_counters` (
	`driver_id` text PRIMARY KEY NOT NULL,
	`cancels_after_accept` integer DEFAULT 0 NOT NULL,
	`no_shows` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `booking_offers` ADD `round` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `booking_timers` ADD `data` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `surge_multiplier` real DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `bookings` ADD `pickup_code` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `round` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `bookings` ADD `dropped_driver_ids` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `bookings` ADD `arrived_at` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `started_at` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `end_reason` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `cancelled_by` text;--> statement-breakpoint
ALTER TABLE `bookings` ADD `fee_amount` real;--> statement-breakpoint
ALTER TABLE `bookings` ADD `final_fare` text;