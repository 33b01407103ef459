import { deadlineSweep } from "../../shared/async/deadline-sweep.ts";
import type { Publisher } from "../../shared/log/event-log.ts";
import type { PendingEntry } from "../idempotency/idempotency-store.ts";
import type { Outbox, OutboxEntry } from "./outbox.ts";

export interface DeliveryTiming {
  /** How long a request waits for the broker's ack before answering on the outbox's durability alone. */
  publishTimeoutMs: number;
  /**
   * An unpublished entry older than this belongs to the relay. Longer than the publish
   * timeout, so the relay never races a request still waiting for its own ack.
   */
  handOverAfterMs: number;
}

export const DELIVERY_TIMING: DeliveryTiming = { publishTimeoutMs: 2000, handOverAfterMs: 3000 };

/**
 * Publishes an entry just written to the outbox, and marks it (in the background) once acked. Resolves
 * true when acked within the timeout, false when the entry is left to the relay: a
 * publish failure is not the request's failure, since the entry is already durable.
 *
 * When the relay owns an older entry (the broker was down), this one is left to the
 * relay too without trying: it publishes in insertion order, so nothing overtakes the
 * backlog. A publish that outlives the timeout still marks its entry if acked later.
 * The publishes of one group commit share the publisher's next sends, and their marks
 * ride a later group commit (gateway/idempotency/libsql-group-commit.ts).
 */
export function deliver(
  remembered: { outbox: OutboxEntry; olderPending: PendingEntry | null },
  deps: { publisher: Publisher; outbox: Outbox },
  timing: DeliveryTiming = DELIVERY_TIMING,
  now: () => number = Date.now,
): Promise<boolean> {
  const { outbox: entry, olderPending } = remembered;
  if (entry.publishedAt !== null) return Promise.resolve(true);
  if (olderPending && olderPending.createdAt <= now() - timing.handOverAfterMs) return Promise.resolve(false);
  const acked = deps.publisher.publish([entry.record]).then(
    () => {
      // Not awaited: the ack made the record durable, and marking is only the relay's bookkeeping. Left
      // unmarked by a crash or an error, the entry is published again by the relay under the same event
      // id, which consumers dedupe.
      deps.outbox.markPublished([entry.seq]).catch(() => {});
      return true;
    },
    // The relay publishes it: the entry stays pending.
    () => false,
  );
  return deadlineSweep(timing.publishTimeoutMs).bound(acked, () => false);
}
