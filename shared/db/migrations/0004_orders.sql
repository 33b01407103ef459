CREATE TABLE `order_trucks` (
	`order_id` text NOT NULL,
	`truck_index` integer NOT NULL,
	`booking_id` text NOT NULL,
	`vehicle_type` text NOT NULL,
	`status` text NOT NULL,
	`driver_id` text,
	PRIMARY KEY(`order_id`, `truck_index`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `order_trucks_booking_idx` ON `order_trucks` (`booking_id`);--> statement-breakpoint
CREATE TABLE `orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`pickup_lat` real NOT NULL,
	`pickup_lng` real NOT NULL,
	`pickup_address` text,
	`dropoff_lat` real NOT NULL,
	`dropoff_lng` real NOT NULL,
	`dropoff_address` text,
	`status` text NOT NULL,
	`truck_count` integer NOT NULL,
	`correlation_id` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `orders_customer_idx` ON `orders` (`customer_id`,`created_at`);