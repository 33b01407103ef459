import type { OutgoingRecord } from "../../shared/log/event-log.ts";
import type { Outbox, OutboxEntry } from "../outbox/outbox.ts";

/**
 * The IdempotencyStore port: what the gateway remembers about requests that carried an
 * Idempotency-Key, so a retry gets the first answer and a key reused for a different
 * request is refused.
 *
 * A request is identified by (operation, scope, key): the operation (e.g.
 * "bookings.create"), the caller it belongs to (the customer id: two customers may pick
 * the same key) and the key. `remember` is atomic per identity: of two concurrent
 * first requests exactly one is "first"; the other sees what it stored.
 *
 * What is stored is chosen by the route: the response to repeat (JSON) and the event's
 * record, put in the outbox in the same transaction (gateway/outbox/): once `remember`
 * resolved the event is durable, published or not. Keys are kept for good: the ids derived from a key (bookingId, event
 * id) stay taken after any expiry, so forgetting a key could only turn a later reuse
 * into a silently dropped duplicate instead of a refusal. Outbox entries are not: once
 * published, the log holds the record, and the relay deletes them after a day.
 */

export interface IdempotentRequest {
  operation: string;
  scope: string;
  key: string;
  /** Hash of the request body as the route understood it; another body under the same key is a conflict. */
  fingerprint: string;
  /** What to answer on this request and every replay of it. */
  response: unknown;
  /** The event to publish, as its record (value: the envelope's JSON); only the first request's is kept. */
  record: OutgoingRecord;
}

/** An outbox entry still waiting for the broker's ack. */
export interface PendingEntry {
  seq: number;
  /** ms since epoch. */
  createdAt: number;
}

export type Remembered =
  /** No request had this key: `response` is the one just stored. "replay": a request with the same body had it first. */
  | {
      kind: "first" | "replay";
      response: unknown;
      outbox: OutboxEntry;
      /** The oldest entry waiting for its ack when this one was written, if it was written before it: a backlog not to overtake (deliver.ts). */
      olderPending: PendingEntry | null;
    }
  /** The key was used with a different body. */
  | { kind: "conflict" };

export interface IdempotencyStore {
  /** Stores the request if its identity is new; otherwise returns what the first one stored, or a conflict. */
  remember(r: IdempotentRequest): Promise<Remembered>;
  /** The outbox `remember` writes to; read by the relay and by requests delivering their own entry. */
  readonly outbox: Outbox;
  close(): void;
}

/** A stable fingerprint of a JSON value: SHA-256 of its canonical form (object keys sorted), web-standard crypto. */
export async function fingerprintOf(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(value));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** JSON with object keys in sorted order at every depth, so equal values serialize alike whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
