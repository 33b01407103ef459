import { inArray } from "drizzle-orm";
import { storedPlace, TRIP_STATUSES } from "../../shared/booking/active-trips.ts";
import type { BookingSnapshot } from "../../shared/booking/state-machine.ts";
import { insertRows } from "../../shared/db/insert-rows.ts";
import type { Orm } from "../../shared/db/open-libsql.ts";
import { bookings } from "../../shared/db/schema.ts";
import { fromRow, insertValues, layoutOf, quoteIdentifier, selectList, toDriver } from "../../shared/db/table-rows.ts";
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

/*
 * A batch's reads and writes are raw statements over the schema's own columns
 * (shared/db/table-rows.ts), not drizzle's builder: building a query per statement was
 * about a tenth of the worker's CPU per booking. busyWithOpenBookings, run once at
 * start-up, stays on drizzle.
 */
const marks = (n: number) => Array(n).fill("?").join(", ");
const BOOKING_COLUMNS = selectList(bookings);

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
export async function loadBookings(exec: SqlExecutor, bookingIds: readonly string[]): Promise<Map<string, LoadedBooking | null>> {
  const out = new Map<string, LoadedBooking | null>(bookingIds.map((id) => [id, null]));
  for (let i = 0; i < bookingIds.length; i += CHUNK) {
    const part = bookingIds.slice(i, i + CHUNK);
    const found = await exec.execute(`SELECT ${BOOKING_COLUMNS} FROM bookings WHERE booking_id IN (${marks(part.length)})`, part);
    if (found.rows.length === 0) continue;
    const rows = found.rows.map((r) => fromRow(bookings, r));
    const offers = await exec.execute(
      `SELECT booking_id, driver_id, round FROM booking_offers WHERE booking_id IN (${marks(rows.length)})`,
      rows.map((r) => r.bookingId),
    );
    const offered = new Map<string, Offer[]>();
    for (const r of offers.rows) {
      const offer = { driverId: String(r[1]), round: Number(r[2]) };
      const list = offered.get(String(r[0]));
      if (list) list.push(offer);
      else offered.set(String(r[0]), [offer]);
    }
    for (const r of rows) out.set(r.bookingId, loaded(r, offered.get(r.bookingId) ?? []));
  }
  return out;
}

/** For each driver among `driverIds` holding an open (accepted, arrived or started) booking: that booking. */
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
    for (const r of rows) out.set(String(r[0]), [...(out.get(String(r[0])) ?? []), String(r[1])]);
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
  await insertRows(tx, {
    table: layoutOf(bookings).name,
    columns: layoutOf(bookings).columns.map((c) => c.name),
    rows: outcomes.flatMap((o) => (o.insert ? [insertValues(bookings, o.insert)] : [])),
  });
  await updateBookings(tx, finalUpdates(outcomes));
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
  for (let i = 0; i < timers.cancelled.length; i += CHUNK) {
    const part = timers.cancelled.slice(i, i + CHUNK);
    await tx.execute(`DELETE FROM booking_timers WHERE booking_id IN (${marks(part.length)}) AND fired_at IS NULL`, part);
  }
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
    const part = ids.slice(i, i + CHUNK);
    const { rows } = await tx.execute(`SELECT booking_id, version FROM bookings WHERE booking_id IN (${marks(part.length)})`, part);
    for (const r of rows) current.set(String(r[0]), Number(r[1]));
  }
  for (const [bookingId, version] of decidedOn) {
    if ((current.get(bookingId) ?? null) !== version) {
      throw new RetryableError(
        `booking ${bookingId} changed while its events were being decided (version ${version} → ${current.get(bookingId)}); deciding again`,
      );
    }
  }
}

/**
 * Each booking's final state after the batch: bookings whose patches set the same columns
 * share one UPDATE … FROM (VALUES …) per chunk; the version moves by the booking's update count.
 */
async function updateBookings(tx: Tx, updates: Map<string, { update: BookingPatch; count: number }>): Promise<void> {
  const { byKey } = layoutOf(bookings);
  // As drizzle's set(): a key whose value is undefined leaves its column alone.
  const keysOf = (patch: BookingPatch) => Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
  const shapes = Map.groupBy(updates, ([, { update }]) => keysOf(update).sort().join());
  for (const group of shapes.values()) {
    const keys = keysOf(group[0]![1].update).sort();
    const columns = keys.map((k) => byKey.get(k)!);
    // VALUES columns are column1…: the booking id, the count, then the patch's columns.
    const set = columns.map((c, i) => `${quoteIdentifier(c.name)} = v.column${i + 3}`);
    const tuple = `(${marks(keys.length + 2)})`;
    for (let i = 0; i < group.length; i += CHUNK) {
      const part = group.slice(i, i + CHUNK);
      const args = part.flatMap(([bookingId, { update, count }]) => [
        bookingId,
        count,
        ...columns.map((c, k) => toDriver(c, (update as Record<string, unknown>)[keys[k]!] ?? null)),
      ]);
      await tx.execute(
        `UPDATE bookings SET ${set.join(", ")}, version = version + v.column2 FROM (VALUES ${Array(part.length).fill(tuple).join(", ")}) AS v WHERE bookings.booking_id = v.column1`,
        args,
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
  const held = await openBookingsByDriver(tx, accepting);
  for (const [driverId, bookingIds] of held) {
    if (bookingIds.length > 1)
      throw new RetryableError(
        `driver ${driverId} holds bookings ${bookingIds.join(", ")} after this batch: another partition gave them one while it was being decided; deciding again`,
      );
  }
}
