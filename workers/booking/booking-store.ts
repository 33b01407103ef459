import { and, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import type { Orm } from "../../shared/db/open-libsql.ts";
import { bookingEvents, bookingOffers, bookings, bookingTimers } from "../../shared/db/schema.ts";
import type { Tx } from "../../shared/db/write-transaction.ts";
import type { BookingSnapshot } from "../../shared/booking/state-machine.ts";
import type { VehicleType } from "../../shared/events/driver.ts";
import type { Fare, Place } from "../../shared/events/booking.ts";
import type { StatusUpdate } from "../../shared/geo/geo-index.ts";
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

const CHUNK = 500;
/** A driver holds a booking from its accept until it completes or is cancelled. */
const OPEN_HOLD: LoadedBooking["status"][] = ["accepted", "started"];

const place = (lat: number, lng: number, address: string | null): Place => (address === null ? { lat, lng } : { lat, lng, address });

type BookingRow = typeof bookings.$inferSelect;

function loaded(b: BookingRow, offeredDriverIds: string[]): LoadedBooking {
  return {
    bookingId: b.bookingId,
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
    offeredDriverIds,
    version: b.version,
  };
}

/** The bookings among `bookingIds` as stored (two queries, whatever the count); absent ids map to null. */
export async function loadBookings(orm: Orm, bookingIds: readonly string[]): Promise<Map<string, LoadedBooking | null>> {
  const out = new Map<string, LoadedBooking | null>(bookingIds.map((id) => [id, null]));
  for (let i = 0; i < bookingIds.length; i += CHUNK) {
    const part = bookingIds.slice(i, i + CHUNK);
    const rows = await orm.select().from(bookings).where(inArray(bookings.bookingId, part));
    if (rows.length === 0) continue;
    const offers = await orm.select({ bookingId: bookingOffers.bookingId, driverId: bookingOffers.driverId }).from(bookingOffers).where(inArray(bookingOffers.bookingId, rows.map((r) => r.bookingId)));
    const offered = Map.groupBy(offers, (o) => o.bookingId);
    for (const r of rows) out.set(r.bookingId, loaded(r, (offered.get(r.bookingId) ?? []).map((o) => o.driverId)));
  }
  return out;
}

/** For each driver among `driverIds` holding an open (accepted or started) booking: that booking. */
export async function openBookingsOf(orm: Orm | Tx["orm"], driverIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < driverIds.length; i += CHUNK) {
    const rows = await orm
      .select({ driverId: bookings.driverId, bookingId: bookings.bookingId })
      .from(bookings)
      .where(and(inArray(bookings.driverId, driverIds.slice(i, i + CHUNK)), inArray(bookings.status, OPEN_HOLD)));
    for (const r of rows) out.set(r.driverId!, r.bookingId);
  }
  return out;
}

/**
 * Drivers busy with an open booking, as status updates dated by the booking's last
 * change. The booking worker wrote them to the geo index when it applied the accept;
 * an index rebuilt from the driver topics alone (`bun run dev` after a restart) would
 * show those drivers available, so the rebuild applies these too. Ordered by
 * changedAt, so a later status of the driver's own still wins.
 */
export async function busyWithOpenBookings(orm: Orm): Promise<StatusUpdate[]> {
  const rows = await orm.select({ driverId: bookings.driverId, vehicleType: bookings.vehicleType, updatedAt: bookings.updatedAt }).from(bookings).where(inArray(bookings.status, OPEN_HOLD));
  return rows.map((r) => ({ driverId: r.driverId!, status: "busy", vehicleType: r.vehicleType, changedAt: Date.parse(r.updatedAt) }));
}

/** The booking after its outcome is written: what the next event of the same batch is decided on. */
export function advance(before: LoadedBooking | null, o: Outcome): LoadedBooking | null {
  if (o.insert) return loaded({ ...o.insert, driverId: o.insert.driverId ?? null, orderId: o.insert.orderId ?? null, pickupAddress: o.insert.pickupAddress ?? null, dropoffAddress: o.insert.dropoffAddress ?? null }, []);
  if (!before || !o.update) return before;
  const offeredDriverIds = o.offers ? [...before.offeredDriverIds, ...o.offers.driverIds.filter((d) => !before.offeredDriverIds.includes(d))] : before.offeredDriverIds;
  return { ...before, status: o.update.status, driverId: o.update.driverId, wave: o.update.wave, offeredDriverIds, version: before.version + 1 };
}

/**
 * Writes one event's outcome inside the applyOnce transaction: first checks that the
 * booking is still at the version the decision was made on (only a second consumer of
 * the same partition, mid-rebalance, could have moved it) and that an accepting driver
 * still holds no other booking (another partition could have), then the audit row, the
 * booking, its offers and timers, and the outbox records, all or nothing.
 */
export async function writeOutcome(tx: Tx, o: Outcome, decidedOnVersion: number | null, now: number): Promise<void> {
  const [current] = await tx.orm.select({ version: bookings.version }).from(bookings).where(eq(bookings.bookingId, o.audit.bookingId));
  if ((current?.version ?? null) !== decidedOnVersion) {
    throw new RetryableError(`booking ${o.audit.bookingId} changed while its event was being decided (version ${decidedOnVersion} → ${current?.version}); deciding again`);
  }
  if (o.update?.status === "accepted" && o.update.driverId) {
    // Another partition's batch may have given the driver a booking since the decision; only this transaction sees it for sure.
    const [held] = await tx.orm
      .select({ bookingId: bookings.bookingId })
      .from(bookings)
      .where(and(eq(bookings.driverId, o.update.driverId), inArray(bookings.status, OPEN_HOLD), ne(bookings.bookingId, o.audit.bookingId)));
    if (held) throw new RetryableError(`driver ${o.update.driverId} took booking ${held.bookingId} while ${o.audit.bookingId} was being decided; deciding again`);
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
