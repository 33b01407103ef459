import { decide, HOLDING } from "../../shared/booking/state-machine.ts";
import { DEFAULT_TRIP } from "../../shared/booking/trip-settings.ts";
import { checkWaveSettings, DEFAULT_WAVES, type WavePlan } from "../../shared/booking/waves.ts";
import type { Tx } from "../../shared/db/write-transaction.ts";
import { RetryableError } from "../../shared/errors/errors.ts";
import { DEFAULT_STALE_AFTER_MS } from "../../shared/geo/geo-index.ts";
import { DEFAULT_TRIP_STREAM } from "../../shared/trip-stream/trip-stream.ts";
import { rollUpOrder } from "../order/roll-up-store.ts";
import { applyOnce } from "../runtime/apply-once.ts";
import type { ConsumedEvent, Handler } from "../runtime/handler.ts";
import { processedIds, unseen } from "../runtime/processed-events.ts";
import { DEFAULT_GEO_TIMEOUT_MS, geoCall } from "../shared/geo-call.ts";
import { type ParsedBookingEvent, parseBookingEvent } from "./booking-event.ts";
import type { LoadedBooking } from "./booking-model.ts";
import type { BookingDeps, BookingHandlerSettings } from "./booking-settings.ts";
import { advance, type DecidedOutcome, loadBookings, openBookingsOf, writeOutcomes } from "./booking-store.ts";
import { planWave, type SearchFrom } from "./matching.ts";
import { offeredPositions, pickupEtas } from "./offer-etas.ts";
import { react } from "./reactions.ts";
import { type TripInputs, tripInputs } from "./trip-inputs.ts";
import { freshStatuses, redeliveredStatuses, type StatusToStream, streamStatuses } from "./trip-status.ts";

/** The name applyOnce records this worker's event ids under: the catalogue's consumer group. */
export const BOOKING_GROUP = "fleet-booking";

/**
 * The booking worker: the events of a batch (one partition of `bookings`, in log order)
 * through the state machine (shared/booking/state-machine.ts) into libSQL.
 *
 * Per batch: load every booking it touches (and, for accepts, what the accepting
 * drivers already hold) in a few queries; start the geo searches the batch's
 * `booking.requested`, `booking.wave-due` and `booking.reassigning` events will need, all
 * at once (matching.ts), and the accepting drivers' ETAs and the trails of the trips
 * asked to complete (trip-inputs.ts); then decide event by event in log order, each on
 * the booking as the events before it left it, and work out every effect
 * (reactions.ts); set drivers busy or available in
 * the geo index; then, in ONE applyOnce transaction, record the event ids, the audit
 * rows (refused events too), the bookings, their offers, timers and follow-up records
 * in the outbox and, for trucks of an order, the order's roll-up
 * (workers/order/roll-up-store.ts). After the commit, the outbox is published
 * (outbox.ts): the worker's decisions (offered, expired, accept-rejected) come back
 * through the log and are applied like any other event, so a replay from the log
 * rebuilds the same bookings.
 *
 * Why a batch at a time: a transaction's commit (an fsync) and the geo round trips were
 * most of an event's cost; one commit per batch and concurrent searches keep the first
 * offer wave fast when bookings arrive by the hundred per second. A search planned for
 * a booking that an earlier event of the same batch moved on is planned again.
 *
 * Geo status writes come before the commit, not after: were they after, a crash in
 * between would lose them, since the redelivered event is skipped as applied. Before,
 * a crash repeats them, which the index ignores (ordered by changedAt, the event's
 * occurredAt).
 *
 * Live trip streams (shared/trip-stream/): after the commit, every applied event is
 * appended to its booking's stream as its timeline entry, keyed by its event id, with
 * the ETA an accept or a start calls for (trip-status.ts); a final status ends the
 * stream. Offers carry each driver's ETA to the pickup (offer-etas.ts).
 *
 * Settings, with defaults: waves of 1, 3, 6, 10 km, 10 drivers each, offers lasting
 * 15 s (shared/booking/waves.ts); drivers silent for 60 s are not offered anything; a
 * geo call pending for 5 s is an outage; the trip's deadlines and limits of
 * shared/booking/trip-settings.ts; redelivered events applied within the last hour are
 * streamed again.
 */
export function createBookingHandler(settings: Partial<BookingHandlerSettings> = {}): Handler<BookingDeps> {
  const s: BookingHandlerSettings = {
    waves: checkWaveSettings(settings.waves ?? DEFAULT_WAVES),
    staleAfterMs: settings.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    geoTimeoutMs: settings.geoTimeoutMs ?? DEFAULT_GEO_TIMEOUT_MS,
    trip: settings.trip ?? DEFAULT_TRIP,
    now: settings.now ?? Date.now,
    restreamWithinMs: settings.restreamWithinMs ?? DEFAULT_TRIP_STREAM.endedTtlMs,
  };

  return async (events, deps) => {
    const seen = await processedIds(
      deps.db.client,
      BOOKING_GROUP,
      events.map((e) => e.id),
    );
    // Redeliveries would be skipped by applyOnce anyway; skipping them here also spares their geo calls.
    const fresh = unseen(events, seen);
    const streamed: StatusToStream[] = [];
    if (deps.tripStream && seen.size > 0) streamed.push(...(await redeliveredStatuses(deps.db, [...seen], s.now() - s.restreamWithinMs)));
    if (fresh.length > 0) streamed.push(...(await applyBatch(fresh, deps, s)));
    await deps.outbox.drainAfterCommit();
    // After the commit, so the stream never shows a decision that rolled back; a crash
    // before it is made up when the batch comes back (redeliveredStatuses above).
    if (deps.tripStream) await streamStatuses({ ...deps, tripStream: deps.tripStream }, streamed, s.geoTimeoutMs, s.now());
  };
}

interface Decided extends DecidedOutcome {
  consumed: ConsumedEvent;
  before: LoadedBooking | null;
}

/** Decides and commits a batch of fresh events; resolves with what the trip streams show of it. */
async function applyBatch(fresh: ConsumedEvent[], deps: BookingDeps, s: BookingHandlerSettings): Promise<StatusToStream[]> {
  const events = fresh.map(parseBookingEvent);
  const now = s.now();
  const state = await loadBookings(deps.db.client, [...new Set(events.map((e) => e.data.bookingId))]);
  const holds = await openBookingsOf(deps.db.client, [
    ...new Set(events.flatMap((e) => (e.type === "booking.accepted" ? [e.data.driverId] : []))),
  ]);
  const searches = events.map((e) => startSearch(e, state.get(e.data.bookingId) ?? null, deps, s, now));
  // Unawaited searches must not reject unhandled when an earlier one throws first.
  for (const p of searches) p?.promise.catch(() => {});
  const positions = await offeredPositions(events, deps, s);
  const inputs: TripInputs = tripInputs(events, state, deps, s);

  const decided: Decided[] = [];
  for (const [i, event] of events.entries()) {
    const before = state.get(event.data.bookingId) ?? null;
    const verdict = decide(before, event, {
      driverHolds: event.type === "booking.accepted" ? heldElsewhere(holds, event.data.driverId, event.data.bookingId) : null,
      pickupCodeRequired: s.trip.pickupCodeRequired,
    });
    const plan = verdict.ok ? await planFor(event, before, searches[i], deps, s, now) : undefined;
    const offerEtas =
      verdict.ok && event.type === "booking.offered" ? await pickupEtas(deps.eta, before!, event.data.driverIds, positions) : undefined;
    const { etaMs, trail } = verdict.ok && before ? await inputs.for(event, before) : {};
    const outcome = react({ before, event, verdict, plan, etaMs, trail, waves: s.waves, trip: s.trip, now, offerEtas });
    const after = advance(before, outcome);
    state.set(event.data.bookingId, after);
    trackHolds(holds, before, after);
    decided.push({ consumed: fresh[i]!, before, outcome, decidedOnVersion: before?.version ?? null });
  }

  const geo = decided.flatMap((d) => d.outcome.geo);
  if (geo.length > 0) await geoCall("setStatus", () => deps.geo.setStatus(geo), s.geoTimeoutMs);
  await applyOnce(
    deps.db,
    BOOKING_GROUP,
    fresh,
    async (tx, applying) => {
      if (applying.length !== fresh.length)
        throw new RetryableError("another consumer applied part of this batch meanwhile; deciding again");
      await writeOutcomes(tx, decided, now, deps.outbox);
      for (const d of decided) await rollUp(tx, d, now, deps.outbox);
    },
    s.now,
  );
  return freshStatuses(decided);
}

/** A truck of an order: the order rolls up in the batch's transaction (workers/order/roll-up-store.ts). */
async function rollUp(
  tx: Tx,
  { consumed, before, outcome: { update } }: Decided,
  now: number,
  outbox: BookingDeps["outbox"],
): Promise<void> {
  const driverId = update?.driverId ?? null;
  if (before?.orderId && update && (update.status !== before.status || driverId !== before.driverId)) {
    const cause = { eventId: consumed.id, correlationId: consumed.correlationId, occurredAt: consumed.occurredAt };
    await rollUpOrder(
      tx,
      { orderId: before.orderId, bookingId: before.bookingId, status: update.status, driverId, previousDriverId: before.driverId, cause },
      now,
      outbox,
    );
  }
}

/** A geo search started ahead of its event's turn, and the booking state it assumed. */
interface Search {
  from: SearchFrom;
  promise: Promise<WavePlan>;
}

function searchFrom(event: ParsedBookingEvent, before: LoadedBooking | null): SearchFrom | undefined {
  if (event.type === "booking.requested")
    return { pickup: event.data.pickup, vehicleType: event.data.vehicleType, wave: 0, excludedDriverIds: [] };
  if (!before) return undefined;
  const from = { pickup: before.pickup, vehicleType: before.vehicleType };
  if (event.type === "booking.wave-due")
    return { ...from, wave: before.wave, excludedDriverIds: [...before.roundOfferedDriverIds, ...before.droppedDriverIds] };
  // A new round searches from the first wave again, skipping only those who dropped the booking.
  if (event.type === "booking.reassigning") return { ...from, wave: 0, excludedDriverIds: before.droppedDriverIds };
  return undefined;
}

function startSearch(
  event: ParsedBookingEvent,
  stored: LoadedBooking | null,
  deps: BookingDeps,
  s: BookingHandlerSettings,
  now: number,
): Search | undefined {
  const from = searchFrom(event, stored);
  return from && { from, promise: planWave(deps.geo, from, s, now) };
}

/** The plan an applied `requested`, `wave-due` or `reassigning` needs: the early search's, unless an earlier event of the batch moved the booking on. */
function planFor(
  event: ParsedBookingEvent,
  before: LoadedBooking | null,
  early: Search | undefined,
  deps: BookingDeps,
  s: BookingHandlerSettings,
  now: number,
): Promise<WavePlan> | undefined {
  const from = searchFrom(event, before);
  if (!from) return undefined;
  const same = early && early.from.wave === from.wave && early.from.excludedDriverIds.join() === from.excludedDriverIds.join();
  return same ? early.promise : planWave(deps.geo, from, s, now);
}

function heldElsewhere(holds: Map<string, string>, driverId: string, bookingId: string): string | null {
  const held = holds.get(driverId);
  return held && held !== bookingId ? held : null;
}

/** Keeps the batch's view of which driver holds which booking in step with its decisions. */
function trackHolds(holds: Map<string, string>, before: LoadedBooking | null, after: LoadedBooking | null): void {
  const holding = (b: LoadedBooking | null) => (b?.driverId && HOLDING.includes(b.status) ? b.driverId : null);
  const was = holding(before);
  const is = holding(after);
  if (was && was !== is && holds.get(was) === after?.bookingId) holds.delete(was);
  if (is) holds.set(is, after!.bookingId);
}
