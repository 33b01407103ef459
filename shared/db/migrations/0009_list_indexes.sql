CREATE INDEX `booking_offers_driver_idx` ON `booking_offers` (`driver_id`);--> statement-breakpoint
CREATE INDEX `bookings_status_idx` ON `bookings` (`status`,`updated_at`);