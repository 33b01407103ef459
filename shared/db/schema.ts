import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { BookingStatus } from "../booking/state-machine.ts";
import type { VehicleType } from "../events/driver.ts";
import type { OrderStatus, TruckStatus } from "../order/roll-up.ts";

/**
 * The libSQL schema of the workers' history database: one module, so drizzle-kit
 * generates every migration from here (`bunx drizzle-kit generate`, output in
 * ./migrations). Tables added by later features go in this file too.
 */

/**
 * Event ids a consumer group has applied, written in the same transaction as the
 * effects (workers/runtime/apply-once.ts), so a redelivered or replayed event never
 * applies twice. The record's position is kept for operators tracing an effect back.
 */
export const processedEvents = sqliteTable(
  "processed_events",
  {
    consumerGroup: text("consumer_group").notNull(),
    eventId: text("event_id").notNull(),
    topic: text("topic").notNull(),
    partition: integer("partition").notNull(),
    offset: integer("offset").notNull(),
    /** ms since epoch */
    processedAt: integer("processed_at").notNull(),
  },
  // Pruning goes by topic and age (workers/runtime/processed-prune.ts).
  (t) => [primaryKey({ columns: [t.consumerGroup, t.eventId] }), index("processed_events_age_idx").on(t.topic, t.processedAt)],
);

/**
 * The audit trail: every event on the business topics as it was applied, one row per
 * event id (so a redelivery or replay adds nothing). Location fixes are not audited
 * here: at 100k fixes/s they are kept as a downsampled trail instead (docs/architecture.md, storage rules).
 */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    eventId: text("event_id").primaryKey(),
    type: text("type").notNull(),
    version: integer("version").notNull(),
    key: text("key").notNull(),
    topic: text("topic").notNull(),
    partition: integer("partition").notNull(),
    offset: integer("offset").notNull(),
    /** ISO-8601, as in the envelope */
    occurredAt: text("occurred_at").notNull(),
    correlationId: text("correlation_id").notNull(),
    source: text("source").notNull(),
    /** The envelope's data as JSON text */
    data: text("data").notNull(),
  },
  (t) => [index("audit_events_key_idx").on(t.key, t.occurredAt)],
);

/**
 * Each driver's downsampled location history (shared/history/): a fix is stored only
 * when it moved far enough or enough time passed since the last stored one (docs/architecture.md, storage rules).
 * The key makes a redelivered fix a no-op (INSERT OR IGNORE) and serves both "latest
 * point of a driver" and "trail between two instants"; the recorded_at index serves
 * pruning by age, which would otherwise scan the whole table.
 */
export const driverTrail = sqliteTable(
  "driver_trail",
  {
    driverId: text("driver_id").notNull(),
    /** Device time of the fix, ms since epoch */
    recordedAt: integer("recorded_at").notNull(),
    lat: real("lat").notNull(),
    lng: real("lng").notNull(),
    /** speed, heading (degrees) and accuracy as the device reported them; null when it did not */
    speed: real("speed"),
    heading: real("heading"),
    accuracy: real("accuracy"),
    /** Why the fix is implausible, comma-separated FIX_FLAGS (trail-flags.ts); null when it is plausible */
    flags: text("flags"),
  },
  (t) => [primaryKey({ columns: [t.driverId, t.recordedAt] }), index("driver_trail_recorded_at_idx").on(t.recordedAt)],
);

/**
 * Bookings as the booking worker (workers/booking/) keeps them: one row per booking,
 * its current state. `version` grows with every applied event: the worker decides
 * outside its transaction (matching calls the geo index) and checks inside that the
 * booking did not change meanwhile.
 */
export const bookings = sqliteTable(
  "bookings",
  {
    bookingId: text("booking_id").primaryKey(),
    customerId: text("customer_id").notNull(),
    /** Set when the booking is one truck of an order. */
    orderId: text("order_id"),
    vehicleType: text("vehicle_type").$type<VehicleType>().notNull(),
    pickupLat: real("pickup_lat").notNull(),
    pickupLng: real("pickup_lng").notNull(),
    pickupAddress: text("pickup_address"),
    dropoffLat: real("dropoff_lat").notNull(),
    dropoffLng: real("dropoff_lng").notNull(),
    dropoffAddress: text("dropoff_address"),
    fareAmount: real("fare_amount").notNull(),
    fareCurrency: text("fare_currency").notNull(),
    /** The surge multiplier locked at request time (booking.requested); 1 for bookings requested before surge existed. */
    surgeMultiplier: real("surge_multiplier").notNull().default(1),
    /** The 4-digit code the customer shows the driver at pickup; null when the request carried none. */
    pickupCode: text("pickup_code"),
    status: text("status").$type<BookingStatus>().notNull(),
    driverId: text("driver_id"),
    /** The wave (radius step) of the last offer applied in this round; 0 before the first. */
    wave: integer("wave").notNull(),
    /** The search round: 0 for the first, one more each time a driver dropped the booking (reassignment). */
    round: integer("round").notNull().default(0),
    /** JSON array of every driver who dropped the booking (cancelled after accepting, or never arrived): never offered it again. */
    droppedDriverIds: text("dropped_driver_ids").notNull().default("[]"),
    /** ISO-8601 occurredAt of booking.driver-arrived and booking.started of the current driver; null until then. */
    arrivedAt: text("arrived_at"),
    startedAt: text("started_at"),
    /** Why the booking ended cancelled or expired (a cancel's reason, customer-no-show, an expiry reason); null otherwise. */
    endReason: text("end_reason"),
    /** Who cancelled (customer, driver or the worker for a customer no-show); null unless cancelled. */
    cancelledBy: text("cancelled_by"),
    /** The cancellation or no-show fee the customer owes (shared/booking/fare.ts); null when none. */
    feeAmount: real("fee_amount"),
    /** The final fare's breakdown as JSON (booking.completed); null until completed. */
    finalFare: text("final_fare"),
    version: integer("version").notNull(),
    /** The correlation id of the request, carried by every event the worker emits for it. */
    correlationId: text("correlation_id").notNull(),
    /** ISO-8601 occurredAt of booking.requested and of the last applied event */
    requestedAt: text("requested_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("bookings_order_idx").on(t.orderId),
    index("bookings_customer_idx").on(t.customerId, t.requestedAt),
    index("bookings_driver_idx").on(t.driverId, t.status),
    // Operators' list by status, oldest change first (GET /v1/bookings?status&updatedBefore).
    index("bookings_status_idx").on(t.status, t.updatedAt),
  ],
);

/**
 * Every event of a booking as the worker judged it, refused ones included (applied =
 * false, with the reason): the booking's timeline. One row per event id; `seq` keeps
 * log order, which is the booking's order (one key, one partition).
 */
export const bookingEvents = sqliteTable(
  "booking_events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    eventId: text("event_id").notNull(),
    bookingId: text("booking_id").notNull(),
    type: text("type").notNull(),
    /** ISO-8601, as in the envelope */
    occurredAt: text("occurred_at").notNull(),
    applied: integer("applied", { mode: "boolean" }).notNull(),
    reason: text("reason"),
    /** The envelope's data as JSON text */
    data: text("data").notNull(),
    /** ms since epoch */
    recordedAt: integer("recorded_at").notNull(),
  },
  (t) => [uniqueIndex("booking_events_event_idx").on(t.eventId), index("booking_events_booking_idx").on(t.bookingId, t.seq)],
);

/** Who each wave offered a booking to: a driver may accept only what they were offered. */
export const bookingOffers = sqliteTable(
  "booking_offers",
  {
    bookingId: text("booking_id").notNull(),
    driverId: text("driver_id").notNull(),
    wave: integer("wave").notNull(),
    /** The search round of the driver's latest offer (a reassigned booking is offered afresh). */
    round: integer("round").notNull().default(0),
    /** ms since epoch */
    offeredAt: integer("offered_at").notNull(),
  },
  // A driver's open offers (GET /v1/drivers/{id}/offers).
  (t) => [primaryKey({ columns: [t.bookingId, t.driverId] }), index("booking_offers_driver_idx").on(t.driverId)],
);

/**
 * Timers of the booking flow (a wave's end, a driver's arrival deadline, the customer's
 * wait limit), written in the transaction that scheduled them so they survive a
 * restart. The worker's timer loop publishes each due one as the event `event_id`
 * names (`type`, with `data`), then sets `fired_at`; a timer fired twice (a crash in
 * between, two loops) publishes the same event id twice, which the worker applies once.
 */
export const bookingTimers = sqliteTable(
  "booking_timers",
  {
    eventId: text("event_id").primaryKey(),
    bookingId: text("booking_id").notNull(),
    type: text("type").notNull(),
    /** The wave a wave timer ends; 0 for the other timers. */
    wave: integer("wave").notNull(),
    /** The event's data as JSON; null in timers written before timers had data (wave timers: {bookingId, wave}). */
    data: text("data"),
    /** ms since epoch */
    dueAt: integer("due_at").notNull(),
    correlationId: text("correlation_id").notNull(),
    /** ms since epoch; null until published */
    firedAt: integer("fired_at"),
  },
  (t) => [index("booking_timers_due_idx").on(t.firedAt, t.dueAt), index("booking_timers_booking_idx").on(t.bookingId)],
);

/**
 * The booking worker's outbox: records it must publish (its decisions, notifications),
 * written in the transaction of the state change that called for them and deleted
 * once the log acked them. A crash between commit and publish leaves them here for
 * the next drain (workers/booking/outbox.ts).
 */
export const bookingOutbox = sqliteTable("booking_outbox", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  topic: text("topic").notNull(),
  key: text("key").notNull(),
  /** The record value: an envelope as JSON text */
  value: text("value").notNull(),
  /** Record headers as a JSON object */
  headers: text("headers").notNull(),
  /** ms since epoch */
  createdAt: integer("created_at").notNull(),
});

/**
 * Multi-truck orders as the order worker wrote them on `order.created`; `status` is
 * rolled up by the booking worker in the transaction that changes one of the order's
 * bookings (workers/order/roll-up-store.ts).
 */
export const orders = sqliteTable(
  "orders",
  {
    orderId: text("order_id").primaryKey(),
    customerId: text("customer_id").notNull(),
    pickupLat: real("pickup_lat").notNull(),
    pickupLng: real("pickup_lng").notNull(),
    pickupAddress: text("pickup_address"),
    dropoffLat: real("dropoff_lat").notNull(),
    dropoffLng: real("dropoff_lng").notNull(),
    dropoffAddress: text("dropoff_address"),
    status: text("status").$type<OrderStatus>().notNull(),
    truckCount: integer("truck_count").notNull(),
    correlationId: text("correlation_id").notNull(),
    /** ISO-8601 occurredAt of order.created and of the last roll-up */
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("orders_customer_idx").on(t.customerId, t.createdAt)],
);

/** One row per truck of an order: its booking (deterministic id) and that booking's rolled-up status. */
export const orderTrucks = sqliteTable(
  "order_trucks",
  {
    orderId: text("order_id").notNull(),
    /** 0-based, in the order's line order */
    truckIndex: integer("truck_index").notNull(),
    bookingId: text("booking_id").notNull(),
    vehicleType: text("vehicle_type").$type<VehicleType>().notNull(),
    status: text("status").$type<TruckStatus>().notNull(),
    driverId: text("driver_id"),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.truckIndex] }), uniqueIndex("order_trucks_booking_idx").on(t.bookingId)],
);

/**
 * What counts against each driver, kept by the booking worker in the transaction that
 * applied the cause: cancels after accepting (the booking was reassigned) and arrival
 * deadlines missed (driver no-show). Operators read them on GET /v1/drivers/{id}.
 */
export const driverCounters = sqliteTable("driver_counters", {
  driverId: text("driver_id").primaryKey(),
  cancelsAfterAccept: integer("cancels_after_accept").notNull().default(0),
  noShows: integer("no_shows").notNull().default(0),
});
