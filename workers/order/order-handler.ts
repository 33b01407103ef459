import type { Db } from "../../shared/db/open-libsql.ts";
import type { WorkerDeps } from "../deps.ts";
import { drainOutbox } from "../booking/outbox.ts";
import { applyOnce } from "../runtime/apply-once.ts";
import type { Handler } from "../runtime/handler.ts";
import { writeExpansion } from "./expansion.ts";
import { isOrderCreated, parseOrderEvent } from "./order-event.ts";

export type OrderDeps = Pick<WorkerDeps, "db" | "publisher">;

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
 * The other order events (truck-assigned, fulfilled, expired, cancelled) are the
 * booking worker's roll-up notices (roll-up-store.ts): nothing to do here but record
 * them as seen.
 *
 * The outbox is the history database's one outbox, shared with the booking worker:
 * whichever drains it publishes everyone's records. Two drains at once may publish a
 * record twice; its id makes that harmless. Records a crash left behind are published
 * by the next batch's drain or by the booking loop (workers/booking/booking-loop.ts),
 * which every process running this worker runs too.
 */
export function createOrderHandler(settings: Partial<OrderHandlerSettings> = {}): Handler<OrderDeps> {
  const now = settings.now ?? Date.now;
  // One drain at a time per database: batches of different partitions run side by side.
  const draining = new WeakMap<Db, Promise<unknown>>();
  const drain = (deps: OrderDeps) => {
    const next = (draining.get(deps.db) ?? Promise.resolve()).catch(() => {}).then(() => drainOutbox(deps.db, deps.publisher));
    draining.set(deps.db, next);
    return next;
  };

  return async (events, deps) => {
    const parsed = events.map(parseOrderEvent);
    await applyOnce(
      deps.db,
      ORDER_GROUP,
      parsed,
      async (tx, fresh) => {
        for (const e of fresh) if (isOrderCreated(e)) await writeExpansion(tx, e, now());
      },
      now,
    );
    await drain(deps);
  };
}
