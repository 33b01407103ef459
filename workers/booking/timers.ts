import { and, asc, inArray, isNull, lte } from "drizzle-orm";
import type { Db } from "../../shared/db/open-libsql.ts";
import { bookingTimers } from "../../shared/db/schema.ts";
import { createEnvelope, envelopeHeaders } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import type { Publisher } from "../../shared/log/event-log.ts";

const TIMER_SOURCE = "booking-timers";

/**
 * Publishes every timer due at `now` that has not fired, as the `bookings` event it
 * stands for (its type and data, e.g. `booking.wave-due {bookingId, wave}` or
 * `booking.arrival-due {bookingId, driverId}`; id = the timer's event id, occurredAt =
 * its due time), and marks them fired only once the log acked them. A crash in between
 * fires them again later with the same id and content, which the booking worker
 * applies once. Resolves with how many fired.
 */
export async function fireDueTimers(db: Db, publisher: Pick<Publisher, "publish">, now: number, limit = 500): Promise<number> {
  const due = await db.orm
    .select()
    .from(bookingTimers)
    .where(and(isNull(bookingTimers.firedAt), lte(bookingTimers.dueAt, now)))
    .orderBy(asc(bookingTimers.dueAt))
    .limit(limit);
  if (due.length === 0) return 0;
  await publisher.publish(
    due.map((t) => {
      const e = createEnvelope({
        id: t.eventId,
        type: t.type,
        key: t.bookingId,
        // Wave timers written before timers carried their data stand for {bookingId, wave}.
        data: t.data === null ? { bookingId: t.bookingId, wave: t.wave } : JSON.parse(t.data),
        source: TIMER_SOURCE,
        correlationId: t.correlationId,
        occurredAt: new Date(t.dueAt),
      });
      return { topic: TOPICS.bookings, key: t.bookingId, value: JSON.stringify(e), headers: envelopeHeaders(e) };
    }),
  );
  await db.orm
    .update(bookingTimers)
    .set({ firedAt: now })
    .where(
      inArray(
        bookingTimers.eventId,
        due.map((t) => t.eventId),
      ),
    );
  return due.length;
}
