import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { storedPlace, TRIP_STATUSES } from "../../shared/booking/active-trips.ts";
import type { BookingSnapshot } from "../../shared/booking/state-machine.ts";
import { insertRows } from "../../shared/db/insert-rows.ts";
import type { Orm } from "../../shared/db/open-libsql.ts";
import { bookingOffers, bookings, bookingTimers } from "../../shared/db/schema.ts";
import type { Tx } from "../../shared/db/write-transaction.ts";
import { RetryableError } from "../../shared/errors/errors.ts";
import type { Fare, Place } from "../../shared/events/booking.ts";
import type { VehicleType } from "../../shared/events/driver.ts";
import type { StatusUpdate } from "../../shared/geo/geo-index.ts";
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
  /** The surge multiplier locked at request time. */
  surge: number;
  correlationId: string;
  version: number;
  /** ISO-8601 occurredAt of the request, and of the current driver's arrival and start (null until then). */
  requestedAt: string;
  arrivedAt: string | null;
  startedAt: string | null;
  /** Drivers offered the booking in the current search round: its later waves skip them. */
  roundOfferedDriverIds: readonly string[];
}

/** The columns an applied event changes: always the status, driver and time; the rest when the event says so. */
export type BookingPatch = Pick<typeof bookings.$inferInsert, "status" | "driverId" | "updatedAt"> &
  Partial<
    Pick<
      typeof bookings.$inferInsert,
      "wave" | "round" | "droppedDriverIds" | "arrivedAt" | "startedAt" | "endReason" | "cancelledBy" | "feeAmount" | "finalFare"
    >
  >;

const CHUNK = 500;

type BookingRow = typeof bookings.$inferSelect;
type Offer = { driverId: string; round: number };

function loaded(b: BookingRow, offers: readonly Offer[]): LoadedBooking {
  return {
    bookingId: b.bookingId,
    customerId: b.customerId,
    orderId: b.orderId,
    vehicleType: b.vehicleType,
    pickup: storedPlace(b.pickupLat, b.pickupLng, b.pickupAddress),
    dropoff: storedPlace(b.dropoffLat, b.dropoffLng, b.dropoffAddress),
    fareEstimate: { amount: b.fareAmount, currency: b.fareCurrency },
    surge: b.surgeMultiplier,
    correlationId: b.correlationId,
    status: b.status,
    driverId: b.driverId,
    wave: b.wave,
    round: b.round,
    offeredDriverIds: offers.map((o) => o.driverId),
    roundOfferedDriverIds: offers.filter((o) => o.round === b.round).map((o) => o.driverId),
    droppedDriverIds: JSON.parse(b.droppedDriverIds) as string[],
    pickupCode: b.pickupCode,
    version: b.version,
    requestedAt: b.requestedAt,
    arrivedAt: b.arrivedAt,
    startedAt: b.startedAt,
  };
}

/** The bookings among `bookingIds` as stored (two queries, whatever the count); absent ids map to null. */
export async function loadBookings(orm: Orm, bookingIds: readonly string[]): Promise<Map<string, LoadedBooking | null>> {
  const out = new Map<string, LoadedBooking | null>(bookingIds.map((id) => [id, null]));
  for (let i = 0; i < bookingIds.length; i += CHUNK) {
    const part = bookingIds.slice(i, i + CHUNK);
    const rows = await orm.select().from(bookings).where(inArray(bookings.bookingId, part));
    if (rows.length === 0) continue;
    const offers = await orm
      .select({ bookingId: bookingOffers.bookingId, driverId: bookingOffers.driverId, round: bookingOffers.round })
      .from(bookingOffers)
      .where(
        inArray(
          bookingOffers.bookingId,
          rows.map((r) => r.bookingId),
        ),
      );
    const offered = Map.groupBy(offers, (o) => o.bookingId);
    for (const r of rows) out.set(r.bookingId, loaded(r, offered.get(r.bookingId) ?? []));
  }
  return out;
}

/** For each driver among `driverIds` holding an open (accepted, arrived or started) booking: that booking. */
export async function openBookingsOf(orm: Orm, driverIds: readonly string[]): Promise<Map<string, string>> {
  return new Map([...(await openBookingsByDriver(orm, driverIds))].map(([driverId, held]) => [driverId, held[0]!]));
}

async function openBookingsByDriver(orm: Orm | Tx["orm"], driverIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < driverIds.length; i += CHUNK) {
    const rows = await orm
      .select({ driverId: bookings.driverId, bookingId: bookings.bookingId })
      .from(bookings)
      .where(and(inArray(bookings.driverId, driverIds.slice(i, i + CHUNK)), inArray(bookings.status, [...TRIP_STATUSES])));
    for (const r of rows) out.set(r.driverId!, [...(out.get(r.driverId!) ?? []), r.bookingId]);
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
  const rows = await orm
    .select({ driverId: bookings.driverId, vehicleType: bookings.vehicleType, updatedAt: bookings.updatedAt })
    .from(bookings)
    .where(inArray(bookings.status, [...TRIP_STATUSES]));
  return rows.map((r) => ({ driverId: r.driverId!, status: "busy", vehicleType: r.vehicleType, changedAt: Date.parse(r.updatedAt) }));
}

/** The booking after its outcome is written: what the next event of the same batch is decided on. */
export function advance(before: LoadedBooking | null, o: Outcome): LoadedBooking | null {
  if (o.insert) {
    const i = o.insert;
    return loaded(
      {
        ...i,
        driverId: i.driverId ?? null,
        orderId: i.orderId ?? null,
        pickupAddress: i.pickupAddress ?? null,
        dropoffAddress: i.dropoffAddress ?? null,
        surgeMultiplier: i.surgeMultiplier ?? 1,
        pickupCode: i.pickupCode ?? null,
        round: i.round ?? 0,
        droppedDriverIds: i.droppedDriverIds ?? "[]",
        arrivedAt: null,
        startedAt: null,
        endReason: null,
        cancelledBy: null,
        feeAmount: null,
        finalFare: null,
      },
      [],
    );
  }
  if (!before || !o.update) return before;
  const u = o.update;
  const round = u.round ?? before.round;
  const fresh = (known: readonly string[]) => (o.offers ? o.offers.driverIds.filter((d) => !known.includes(d)) : []);
  const roundOffered = round === before.round ? before.roundOfferedDriverIds : [];
  return {
    ...before,
    status: u.status,
    driverId: u.driverId ?? null,
    wave: u.wave ?? before.wave,
    round,
    offeredDriverIds: [...before.offeredDriverIds, ...fresh(before.offeredDriverIds)],
    roundOfferedDriverIds: [...roundOffered, ...fresh(roundOffered)],
    droppedDriverIds: u.droppedDriverIds === undefined ? before.droppedDriverIds : (JSON.parse(u.droppedDriverIds) as string[]),
    arrivedAt: u.arrivedAt === undefined ? before.arrivedAt : u.arrivedAt,
    startedAt: u.startedAt === undefined ? before.startedAt : u.startedAt,
    version: before.version + 1,
  };
}

/** One decided event: its outcome and the booking version the decision was made on (null: no booking yet). */
export interface DecidedOutcome {
  outcome: Outcome;
  decidedOnVersion: number | null;
}

/**
 * Writes a batch's outcomes inside its applyOnce transaction, all or nothing, in a
 * handful of statements whatever the batch size (a statement per event was most of a
 * batch's cost). First checks that each booking is still at the version its first
 * event was decided on (only a second consumer of the same partition, mid-rebalance,
 * could have moved it); then the audit rows, the new bookings, each booking's final
 * state, the offers, the timers (net of the batch: a wave's timer cancelled by an
 * accept in the same batch is never written), the outbox records in order; last, that
 * no accepting driver now holds two open bookings (another partition's batch could
 * have given them one since the decision: only this transaction sees it for sure).
 */
export async function writeOutcomes(tx: Tx, decided: readonly DecidedOutcome[], now: number): Promise<void> {
  if (decided.length === 0) return;
  await checkVersions(tx, decided);
  const outcomes = decided.map((d) => d.outcome);
  await insertRows(tx, {
    table: "booking_events",
    columns: ["event_id", "booking_id", "type", "occurred_at", "applied", "reason", "data", "recorded_at"],
    rows: outcomes.map(({ audit: a }) => [a.eventId, a.bookingId, a.type, a.occurredAt, a.applied ? 1 : 0, a.reason, a.data, now]),
    onConflict: "ignore",
  });
  const inserts = outcomes.flatMap((o) => (o.insert ? [o.insert] : []));
  if (inserts.length > 0) await tx.orm.insert(bookings).values(inserts);
  for (const [bookingId, { update, count }] of finalUpdates(outcomes)) {
    await tx.orm
      .update(bookings)
      .set({ ...update, version: sql`${bookings.version} + ${count}` })
      .where(eq(bookings.bookingId, bookingId));
  }
  // A driver offered again in a later round keeps one row, moved to that round.
  await insertRows(tx, {
    table: "booking_offers",
    columns: ["booking_id", "driver_id", "wave", "round", "offered_at"],
    rows: outcomes.flatMap((o) =>
      o.offers ? o.offers.driverIds.map((d) => [o.audit.bookingId, d, o.offers!.wave, o.offers!.round, now]) : [],
    ),
    onConflict: { target: ["booking_id", "driver_id"], set: "replace", columns: ["wave", "round", "offered_at"] },
  });
  const timers = netTimers(outcomes);
  if (timers.cancelled.length > 0)
    await tx.orm.delete(bookingTimers).where(and(inArray(bookingTimers.bookingId, timers.cancelled), isNull(bookingTimers.firedAt)));
  await insertRows(tx, {
    table: "booking_timers",
    columns: ["event_id", "booking_id", "type", "wave", "data", "due_at", "correlation_id", "fired_at"],
    rows: timers.added.map((t) => [t.eventId, t.bookingId, t.type, t.wave, t.data ?? null, t.dueAt, t.correlationId, t.firedAt ?? null]),
    onConflict: "ignore",
  });
  await insertRows(tx, {
    table: "driver_counters",
    columns: ["driver_id", "cancels_after_accept", "no_shows"],
    rows: outcomes.flatMap((o) => (o.counter ? [[o.counter.driverId, o.counter.cancelsAfterAccept, o.counter.noShows]] : [])),
    onConflict: { target: ["driver_id"], set: "add", columns: ["cancels_after_accept", "no_shows"] },
  });
  await enqueueRecords(
    tx,
    outcomes.flatMap((o) => o.outbox),
    now,
  );
  await checkHolds(tx, outcomes);
}

async function checkVersions(tx: Tx, decided: readonly DecidedOutcome[]): Promise<void> {
  const decidedOn = new Map<string, number | null>();
  for (const d of decided) if (!decidedOn.has(d.outcome.audit.bookingId)) decidedOn.set(d.outcome.audit.bookingId, d.decidedOnVersion);
  const current = new Map<string, number>();
  const ids = [...decidedOn.keys()];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await tx.orm
      .select({ bookingId: bookings.bookingId, version: bookings.version })
      .from(bookings)
      .where(inArray(bookings.bookingId, ids.slice(i, i + CHUNK)));
    for (const r of rows) current.set(r.bookingId, r.version);
  }
  for (const [bookingId, version] of decidedOn) {
    if ((current.get(bookingId) ?? null) !== version) {
      throw new RetryableError(
        `booking ${bookingId} changed while its events were being decided (version ${version} → ${current.get(bookingId)}); deciding again`,
      );
    }
  }
}

/** Each booking's updates in the batch merged in order, and how many there were (its version moves by that many). */
function finalUpdates(outcomes: readonly Outcome[]): Map<string, { update: BookingPatch; count: number }> {
  const out = new Map<string, { update: BookingPatch; count: number }>();
  for (const o of outcomes) {
    if (!o.update) continue;
    const seen = out.get(o.audit.bookingId);
    out.set(o.audit.bookingId, { update: { ...seen?.update, ...o.update }, count: (seen?.count ?? 0) + 1 });
  }
  return out;
}

/** Timers as the batch leaves them: bookings whose pending timers are cancelled, and timers added after any cancel of theirs. */
function netTimers(outcomes: readonly Outcome[]): { cancelled: string[]; added: NonNullable<Outcome["timer"]>[] } {
  const cancelled = new Set<string>();
  let added: NonNullable<Outcome["timer"]>[] = [];
  for (const o of outcomes) {
    if (o.cancelTimers) {
      cancelled.add(o.audit.bookingId);
      added = added.filter((t) => t.bookingId !== o.audit.bookingId);
    }
    if (o.timer) added.push(o.timer);
  }
  return { cancelled: [...cancelled], added };
}

async function checkHolds(tx: Tx, outcomes: readonly Outcome[]): Promise<void> {
  const accepting = [
    ...new Set(outcomes.flatMap((o) => (o.update?.status === "accepted" && o.update.driverId ? [o.update.driverId] : []))),
  ];
  if (accepting.length === 0) return;
  const held = await openBookingsByDriver(tx.orm, accepting);
  for (const [driverId, bookingIds] of held) {
    if (bookingIds.length > 1)
      throw new RetryableError(
        `driver ${driverId} holds bookings ${bookingIds.join(", ")} after this batch: another partition gave them one while it was being decided; deciding again`,
      );
  }
}
