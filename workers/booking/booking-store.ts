import { and, eq, isNull, sql } from "drizzle-orm";
import type { Orm } from "../../shared/db/open-libsql.ts";
import { bookingEvents, bookingOffers, bookings, bookingTimers } from "../../shared/db/schema.ts";
import type { Tx } from "../../shared/db/write-transaction.ts";
import type { BookingSnapshot } from "../../shared/booking/state-machine.ts";
import type { VehicleType } from "../../shared/events/driver.ts";
import type { Fare, Place } from "../../shared/events/booking.ts";
import { RetryableError } from "../../shared/errors/errors.ts";
import { enqueueRecords } from "./outbox.ts";
import type { Outcome } from "./reactions.ts";

/** A booking as the worker decides on it: the state machine's snapshot plus what its follow-ups need. */
export interface LoadedBooking extends BookingSnapshot {
  bookingId: string;
  customerId: string;
  orderId: string | null;
  vehicleType: VehicleType;
  pickup: Place;
  dropoff: Place;
  fareEstimate: Fare;
  correlationId: string;
  version: number;
}

const place = (lat: number, lng: number, address: string | null): Place => (address === null ? { lat, lng } : { lat, lng, address });

export async function loadBooking(orm: Orm, bookingId: string): Promise<LoadedBooking | null> {
  const [b] = await orm.select().from(bookings).where(eq(bookings.bookingId, bookingId));
  if (!b) return null;
  const offers = await orm.select({ driverId: bookingOffers.driverId }).from(bookingOffers).where(eq(bookingOffers.bookingId, bookingId));
  return {
    bookingId,
    customerId: b.customerId,
    orderId: b.orderId,
    vehicleType: b.vehicleType,
    pickup: place(b.pickupLat, b.pickupLng, b.pickupAddress),
    dropoff: place(b.dropoffLat, b.dropoffLng, b.dropoffAddress),
    fareEstimate: { amount: b.fareAmount, currency: b.fareCurrency },
    correlationId: b.correlationId,
    status: b.status,
    driverId: b.driverId,
    wave: b.wave,
    offeredDriverIds: offers.map((o) => o.driverId),
    version: b.version,
  };
}

/**
 * Writes one event's outcome inside the applyOnce transaction: first checks that the
 * booking is still at the version the decision was made on (only a second consumer of
 * the same partition, mid-rebalance, could have moved it), then the audit row, the
 * booking, its offers and timers, and the outbox records, all or nothing.
 */
export async function writeOutcome(tx: Tx, o: Outcome, decidedOnVersion: number | null, now: number): Promise<void> {
  const [current] = await tx.orm.select({ version: bookings.version }).from(bookings).where(eq(bookings.bookingId, o.audit.bookingId));
  if ((current?.version ?? null) !== decidedOnVersion) {
    throw new RetryableError(`booking ${o.audit.bookingId} changed while its event was being decided (version ${decidedOnVersion} → ${current?.version}); deciding again`);
  }
  await tx.orm
    .insert(bookingEvents)
    .values({ ...o.audit, recordedAt: now })
    .onConflictDoNothing();
  if (o.insert) await tx.orm.insert(bookings).values(o.insert);
  if (o.update) {
    await tx.orm
      .update(bookings)
      .set({ ...o.update, version: sql`${bookings.version} + 1` })
      .where(eq(bookings.bookingId, o.audit.bookingId));
  }
  if (o.offers && o.offers.driverIds.length > 0) {
    await tx.orm
      .insert(bookingOffers)
      .values(o.offers.driverIds.map((driverId) => ({ bookingId: o.audit.bookingId, driverId, wave: o.offers!.wave, offeredAt: now })))
      .onConflictDoNothing();
  }
  if (o.cancelTimers) await tx.orm.delete(bookingTimers).where(and(eq(bookingTimers.bookingId, o.audit.bookingId), isNull(bookingTimers.firedAt)));
  if (o.timer) await tx.orm.insert(bookingTimers).values(o.timer).onConflictDoNothing();
  if (o.outbox.length > 0) await enqueueRecords(tx, o.outbox, now);
}
