import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
