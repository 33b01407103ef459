import type { WorkerDeps } from "../deps.ts";
import { applyOnce } from "../runtime/apply-once.ts";
import type { Handler } from "../runtime/handler.ts";
import { writeCancellation } from "./cancellation.ts";
import { writeExpansion } from "./expansion.ts";
import { isOrderCancelRequested, isOrderCreated, parseOrderEvent } from "./order-event.ts";

export type OrderDeps = Pick<WorkerDeps, "db" | "outbox">;

/** The name applyOnce records this worker's event ids under: the catalogue's consumer group. */
export const ORDER_GROUP = "fleet-order";

export interface OrderHandlerSettings {
  now: () => number;
}

/**
 * The order worker: expands each `order.created` on `orders` into one
 * `booking.requested` per truck (expansion.ts). Per batch, ONE applyOnce transaction
 * records the event ids, the orders, their trucks and the bookings to publish in the
 * outbox; after the commit the outbox is drained. So a redelivered or replayed order,
 * or one whose worker was SIGKILLed mid-publish, never books a truck twice: applyOnce
 * skips the order, the outbox still holds what was not acked, and what is published
 * again carries the same event ids, which the booking worker dedupes.
 *
 * An `order.cancel-requested` cancels the bookings of the order's open trucks, through
 * the same outbox (cancellation.ts).
 *
 * The other order events (truck-assigned, fulfilled, expired, cancelled) are the
 * booking worker's roll-up notices (roll-up-store.ts): nothing to do here but record
 * them as seen.
 *
 * The outbox is the history database's one outbox, shared with the booking worker
 * (drainAfterCommit). Records a crash left behind are published by the next batch's
 * drain or by the booking loop (workers/booking/booking-loop.ts), which every process
 * running this worker runs too.
 */
export function createOrderHandler(settings: Partial<OrderHandlerSettings> = {}): Handler<OrderDeps> {
  const now = settings.now ?? Date.now;
  return async (events, deps) => {
    const parsed = events.map(parseOrderEvent);
    await applyOnce(
      deps.db,
      ORDER_GROUP,
      parsed,
      async (tx, fresh) => {
        for (const e of fresh) {
          if (isOrderCreated(e)) await writeExpansion(tx, e, now(), deps.outbox);
          else if (isOrderCancelRequested(e)) await writeCancellation(tx, e, now(), deps.outbox);
        }
      },
      now,
    );
    await deps.outbox.drainAfterCommit();
  };
}
