import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
