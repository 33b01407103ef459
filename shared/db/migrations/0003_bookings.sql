CREATE TABLE `booking_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`booking_id` text NOT NULL,
	`type` text NOT NULL,
	`occurred_at` text NOT NULL,
	`applied` integer NOT NULL,
	`reason` text,
	`data` text NOT NULL,
	`recorded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `booking_events_event_idx` ON `booking_events` (`event_id`);--> statement-breakpoint
CREATE INDEX `booking_events_booking_idx` ON `booking_events` (`booking_id`,`seq`);--> statement-breakpoint
CREATE TABLE `booking_offers` (
	`booking_id` text NOT NULL,
	`driver_id` text NOT NULL,
	`wave` integer NOT NULL,
	`offered_at` integer NOT NULL,
	PRIMARY KEY(`booking_id`, `driver_id`)
);
--> statement-breakpoint
CREATE TABLE `booking_outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`topic` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`headers` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `booking_timers` (
	`event_id` text PRIMARY KEY NOT NULL,
	`booking_id` text NOT NULL,
	`type` text NOT NULL,
	`wave` integer NOT NULL,
	`due_at` integer NOT NULL,
	`correlation_id` text NOT NULL,
	`fired_at` integer
);
--> statement-breakpoint
CREATE INDEX `booking_timers_due_idx` ON `booking_timers` (`fired_at`,`due_at`);--> statement-breakpoint
CREATE INDEX `booking_timers_booking_idx` ON `booking_timers` (`booking_id`);--> statement-breakpoint
CREATE TABLE `bookings` (
	`booking_id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`order_id` text,
	`vehicle_type` text NOT NULL,
	`pickup_lat` real NOT NULL,
	`pickup_lng` real NOT NULL,
	`pickup_address` text,
	`dropoff_lat` real NOT NULL,
	`dropoff_lng` real NOT NULL,
	`dropoff_address` text,
	`fare_amount` real NOT NULL,
	`fare_currency` text NOT NULL,
	`status` text NOT NULL,
	`driver_id` text,
	`wave` integer NOT NULL,
	`version` integer NOT NULL,
	`correlation_id` text NOT NULL,
	`requested_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `bookings_order_idx` ON `bookings` (`order_id`);--> statement-breakpoint
CREATE INDEX `bookings_customer_idx` ON `bookings` (`customer_id`,`requested_at`);