CREATE TABLE `processed_events` (
	`consumer_group` text NOT NULL,
	`event_id` text NOT NULL,
	`topic` text NOT NULL,
	`partition` integer NOT NULL,
	`offset` integer NOT NULL,
	`processed_at` integer NOT NULL,
	PRIMARY KEY(`consumer_group`, `event_id`)
);
