import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
  (t) => [primaryKey({ columns: [t.consumerGroup, t.eventId] })],
);

/**
 * The audit trail: every event on the business topics as it was applied, one row per
 * event id (so a redelivery or replay adds nothing). Location fixes are not audited
 * here: at 100k fixes/s they are kept as a downsampled trail instead (DESIGN §8).
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
 * when it moved far enough or enough time passed since the last stored one (DESIGN §8).
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
  },
  (t) => [primaryKey({ columns: [t.driverId, t.recordedAt] }), index("driver_trail_recorded_at_idx").on(t.recordedAt)],
);
