import type { Row } from "@libsql/client";
import { inArray } from "drizzle-orm";
import { storedPlace, TRIP_STATUSES } from "../../shared/booking/active-trips.ts";
import type { BookingSnapshot, BookingStatus } from "../../shared/booking/state-machine.ts";
import { insertRows } from "../../shared/db/insert-rows.ts";
import type { Orm } from "../../shared/db/open-libsql.ts";
import { bookings } from "../../shared/db/schema.ts";
import type { Tx } from "../../shared/db/write-transaction.ts";
import { RetryableError } from "../../shared/errors/errors.ts";
import type { Fare, Place } from "../../shared/events/booking.ts";
import type { VehicleType } from "../../shared/events/driver.ts";
import type { StatusUpdate } from "../../shared/geo/geo-index.ts";
import type { SqlExecutor } from "../runtime/processed-events.ts";
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

/*
 * The queries of a batch are raw SQL, not drizzle's builder: building them was a tenth of
 * the worker's CPU per event (docs/architecture.md, figures). busyWithOpenBookings, run
 * once at start-up, stays on drizzle.
 */
const BOOKING_COLUMNS =
  "booking_id, customer_id, order_id, vehicle_type, pickup_lat, pickup_lng, pickup_address, dropoff_lat, dropoff_lng, dropoff_address, fare_amount, fare_currency, status, driver_id, wave, version, correlation_id";
const marks = (n: number) => Array(n).fill("?").join(", ");

function loadedRow(r: Row, offeredDriverIds: string[]): LoadedBooking {
  return {
    bookingId: String(r.booking_id),
    customerId: String(r.customer_id),
    orderId: r.order_id === null ? null : String(r.order_id),
    vehicleType: r.vehicle_type as VehicleType,
    pickup: storedPlace(Number(r.pickup_lat), Number(r.pickup_lng), r.pickup_address === null ? null : String(r.pickup_address)),
    dropoff: storedPlace(Number(r.dropoff_lat), Number(r.dropoff_lng), r.dropoff_address === null ? null : String(r.dropoff_address)),
    fareEstimate: { amount: Number(r.fare_amount), currency: String(r.fare_currency) } as Fare,
    correlationId: String(r.correlation_id),
    status: r.status as BookingStatus,
    driverId: r.driver_id === null ? null : String(r.driver_id),
    wave: Number(r.wave),
    offeredDriverIds,
    version: Number(r.version),
  };
}

/** The bookings among `bookingIds` as stored (two queries, whatever the count); absent ids map to null. */
export async function loadBookings(exec: SqlExecutor, bookingIds: readonly string[]): Promise<Map<string, LoadedBooking | null>> {
  const out = new Map<string, LoadedBooking | null>(bookingIds.map((id) => [id, null]));
  for (let i = 0; i < bookingIds.length; i += CHUNK) {
    const part = bookingIds.slice(i, i + CHUNK);
    const { rows } = await exec.execute(`SELECT ${BOOKING_COLUMNS} FROM bookings WHERE booking_id IN (${marks(part.length)})`, part);
    if (rows.length === 0) continue;
    // Only bookings past their first wave have offers.
    const offered = rows.filter((r) => Number(r.wave) > 0).map((r) => String(r.booking_id));
    const byBooking = new Map<string, string[]>();
    if (offered.length > 0) {
      const offers = await exec.execute(
        `SELECT booking_id, driver_id FROM booking_offers WHERE booking_id IN (${marks(offered.length)})`,
        offered,
      );
      for (const o of offers.rows) {
        const id = String(o.booking_id);
        const list = byBooking.get(id);
        if (list) list.push(String(o.driver_id));
        else byBooking.set(id, [String(o.driver_id)]);
      }
    }
    for (const r of rows) out.set(String(r.booking_id), loadedRow(r, byBooking.get(String(r.booking_id)) ?? []));
  }
  return out;
}

/** For each driver among `driverIds` holding an open (accepted or started) booking: that booking. */
export async function openBookingsOf(exec: SqlExecutor, driverIds: readonly string[]): Promise<Map<string, string>> {
  return new Map([...(await openBookingsByDriver(exec, driverIds))].map(([driverId, held]) => [driverId, held[0]!]));
}

async function openBookingsByDriver(exec: SqlExecutor, driverIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < driverIds.length; i += CHUNK) {
    const part = driverIds.slice(i, i + CHUNK);
    const { rows } = await exec.execute(
      `SELECT driver_id, booking_id FROM bookings WHERE driver_id IN (${marks(part.length)}) AND status IN (${marks(TRIP_STATUSES.length)})`,
      [...part, ...TRIP_STATUSES],
    );
    for (const r of rows) {
      const driverId = String(r.driver_id);
      out.set(driverId, [...(out.get(driverId) ?? []), String(r.booking_id)]);
    }
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
    const b = o.insert;
    return {
      bookingId: b.bookingId,
      customerId: b.customerId,
      orderId: b.orderId ?? null,
      vehicleType: b.vehicleType,
      pickup: storedPlace(b.pickupLat, b.pickupLng, b.pickupAddress ?? null),
      dropoff: storedPlace(b.dropoffLat, b.dropoffLng, b.dropoffAddress ?? null),
      fareEstimate: { amount: b.fareAmount, currency: b.fareCurrency } as Fare,
      correlationId: b.correlationId,
      status: b.status,
      driverId: b.driverId ?? null,
      wave: b.wave,
      offeredDriverIds: [],
      version: b.version,
    };
  }
  if (!before || !o.update) return before;
  const offeredDriverIds = o.offers
    ? [...before.offeredDriverIds, ...o.offers.driverIds.filter((d) => !before.offeredDriverIds.includes(d))]
    : before.offeredDriverIds;
  return {
    ...before,
    status: o.update.status,
    driverId: o.update.driverId,
    wave: o.update.wave,
    offeredDriverIds,
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
  await insertRows(tx, {
    table: "bookings",
    columns: INSERT_COLUMNS,
    rows: outcomes.flatMap(({ insert: b }) =>
      b
        ? [
            [
              b.bookingId,
              b.customerId,
              b.orderId ?? null,
              b.vehicleType,
              b.pickupLat,
              b.pickupLng,
              b.pickupAddress ?? null,
              b.dropoffLat,
              b.dropoffLng,
              b.dropoffAddress ?? null,
              b.fareAmount,
              b.fareCurrency,
              b.status,
              b.driverId ?? null,
              b.wave,
              b.version,
              b.correlationId,
              b.requestedAt,
              b.updatedAt,
            ],
          ]
        : [],
    ),
  });
  await updateBookings(tx, finalUpdates(outcomes));
  await insertRows(tx, {
    table: "booking_offers",
    columns: ["booking_id", "driver_id", "wave", "offered_at"],
    rows: outcomes.flatMap((o) => (o.offers ? o.offers.driverIds.map((d) => [o.audit.bookingId, d, o.offers!.wave, now]) : [])),
    onConflict: "ignore",
  });
  const timers = netTimers(outcomes);
  for (let i = 0; i < timers.cancelled.length; i += CHUNK) {
    const part = timers.cancelled.slice(i, i + CHUNK);
    await tx.execute(`DELETE FROM booking_timers WHERE booking_id IN (${marks(part.length)}) AND fired_at IS NULL`, part);
  }
  await insertRows(tx, {
    table: "booking_timers",
    columns: ["event_id", "booking_id", "type", "wave", "due_at", "correlation_id", "fired_at"],
    rows: timers.added.map((t) => [t.eventId, t.bookingId, t.type, t.wave, t.dueAt, t.correlationId, t.firedAt ?? null]),
    onConflict: "ignore",
  });
  await enqueueRecords(
    tx,
    outcomes.flatMap((o) => o.outbox),
    now,
  );
  await checkHolds(tx, outcomes);
}

const INSERT_COLUMNS = [
  "booking_id",
  "customer_id",
  "order_id",
  "vehicle_type",
  "pickup_lat",
  "pickup_lng",
  "pickup_address",
  "dropoff_lat",
  "dropoff_lng",
  "dropoff_address",
  "fare_amount",
  "fare_currency",
  "status",
  "driver_id",
  "wave",
  "version",
  "correlation_id",
  "requested_at",
  "updated_at",
] as const;

/** Each booking's final state after the batch, in one UPDATE … FROM (VALUES …) per chunk; the version moves by its update count. */
async function updateBookings(tx: Tx, updates: Map<string, { update: NonNullable<Outcome["update"]>; count: number }>): Promise<void> {
  const all = [...updates];
  for (let i = 0; i < all.length; i += CHUNK) {
    const part = all.slice(i, i + CHUNK);
    await tx.execute(
      `UPDATE bookings SET status = v.column2, driver_id = v.column3, wave = v.column4, updated_at = v.column5, version = version + v.column6
       FROM (VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")}) AS v WHERE bookings.booking_id = v.column1`,
      part.flatMap(([bookingId, { update, count }]) => [bookingId, update.status, update.driverId, update.wave, update.updatedAt, count]),
    );
  }
}

async function checkVersions(tx: Tx, decided: readonly DecidedOutcome[]): Promise<void> {
  const decidedOn = new Map<string, number | null>();
  for (const d of decided) if (!decidedOn.has(d.outcome.audit.bookingId)) decidedOn.set(d.outcome.audit.bookingId, d.decidedOnVersion);
  const current = new Map<string, number>();
  const ids = [...decidedOn.keys()];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const { rows } = await tx.execute(`SELECT booking_id, version FROM bookings WHERE booking_id IN (${marks(part.length)})`, part);
    for (const r of rows) current.set(String(r.booking_id), Number(r.version));
  }
  for (const [bookingId, version] of decidedOn) {
    if ((current.get(bookingId) ?? null) !== version) {
      throw new RetryableError(
        `booking ${bookingId} changed while its events were being decided (version ${version} → ${current.get(bookingId)}); deciding again`,
      );
    }
  }
}

/** Each booking's last update in the batch, and how many updates it had (its version moves by that many). */
function finalUpdates(outcomes: readonly Outcome[]): Map<string, { update: NonNullable<Outcome["update"]>; count: number }> {
  const out = new Map<string, { update: NonNullable<Outcome["update"]>; count: number }>();
  for (const o of outcomes) {
    if (!o.update) continue;
    const seen = out.get(o.audit.bookingId);
    out.set(o.audit.bookingId, { update: o.update, count: (seen?.count ?? 0) + 1 });
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
  const held = await openBookingsByDriver(tx, accepting);
  for (const [driverId, bookingIds] of held) {
    if (bookingIds.length > 1)
      throw new RetryableError(
        `driver ${driverId} holds bookings ${bookingIds.join(", ")} after this batch: another partition gave them one while it was being decided; deciding again`,
      );
  }
}
