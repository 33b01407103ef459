import type { OutgoingRecord } from "../../shared/log/event-log.ts";

/**
 * The gateway's outbox: records that must reach the log, kept in the gateway's own
 * database beside the idempotency keys that produced them (same transaction, see
 * IdempotencyStore.remember), so a booking or order is durable before its 202 even
 * while the broker is down. `seq` is insertion order; the relay publishes in that order.
 */
export interface OutboxEntry {
  seq: number;
  record: OutgoingRecord;
  /** ms since epoch. */
  createdAt: number;
  /** null until the broker acked the record. */
  publishedAt: number | null;
}

export interface Outbox {
  /** Unpublished entries created at or before `createdUpTo`, oldest first, at most `limit`. */
  pending(limit: number, createdUpTo: number): Promise<OutboxEntry[]>;
  /** Records the broker's ack; entries already marked keep their first time. */
  markPublished(seqs: number[]): Promise<void>;
  /** How many entries wait for an ack. */
  depth(): Promise<number>;
  /**
   * Deletes entries published before `before` (ms since epoch); resolves with how many.
   * A request replayed after its entry is gone gets a fresh entry of the same record
   * (same event id, deduped downstream): what is kept is the key, not the record.
   */
  prunePublished(before: number): Promise<number>;
}
