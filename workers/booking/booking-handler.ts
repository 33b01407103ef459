import type { Db } from "../../shared/db/open-libsql.ts";
import { decide } from "../../shared/booking/state-machine.ts";
import { checkWaveSettings, DEFAULT_WAVES, type WavePlan } from "../../shared/booking/waves.ts";
import type { WorkerDeps } from "../deps.ts";
import { DEFAULT_GEO_TIMEOUT_MS, geoCall } from "../location/geo-call.ts";
import { applyOnce } from "../runtime/apply-once.ts";
import type { ConsumedEvent, Handler } from "../runtime/handler.ts";
import { processedIds } from "../runtime/processed-events.ts";
import { parseBookingEvent, type ParsedBookingEvent } from "./booking-event.ts";
import { rollUpOrder } from "../order/roll-up-store.ts";
import { loadBooking, writeOutcome, type LoadedBooking } from "./booking-store.ts";
import { planWave, type MatchingSettings } from "./matching.ts";
import { drainOutbox } from "./outbox.ts";
import { react } from "./reactions.ts";

export type BookingDeps = Pick<WorkerDeps, "db" | "geo" | "publisher">;

/** The name applyOnce records this worker's event ids under: the catalogue's consumer group. */
export const BOOKING_GROUP = "fleet-booking";

export interface BookingHandlerSettings extends MatchingSettings {
  now: () => number;
}

/**
 * The booking worker: every event on `bookings`, one at a time in log order, through
 * the state machine (shared/booking/state-machine.ts) into libSQL.
 *
 * Per event: load the booking; let the state machine judge the event; when it applies
 * a `booking.requested` or `booking.wave-due`, plan the next wave against the geo
 * index (matching.ts); work out every effect (reactions.ts); set drivers busy or
 * available in the geo index; then, in ONE applyOnce transaction, record the event id,
 * the audit row (refused events too), the booking, its offers, its timer, its
 * follow-up records in the outbox and, for a truck of an order, the order's roll-up
 * (workers/order/roll-up-store.ts). After the batch, the outbox is published
 * (outbox.ts): the worker's decisions (offered, expired, accept-rejected) come back
 * through the log and are applied like any other event, so a replay from the log
 * rebuilds the same bookings.
 *
 * Geo status writes come before the commit, not after: were they after, a crash in
 * between would lose them, since the redelivered event is skipped as applied. Before,
 * a crash repeats them, which the index ignores (ordered by changedAt, the event's
 * occurredAt).
 *
 * Settings, with defaults: waves of 1, 3, 6, 10 km, 10 drivers each, offers lasting
 * 15 s (shared/booking/waves.ts); drivers silent for 60 s are not offered anything; a
 * geo call pending for 5 s is an outage.
 */
export function createBookingHandler(settings: Partial<BookingHandlerSettings> = {}): Handler<BookingDeps> {
  const s: BookingHandlerSettings = {
    waves: checkWaveSettings(settings.waves ?? DEFAULT_WAVES),
    staleAfterMs: settings.staleAfterMs ?? 60_000,
    geoTimeoutMs: settings.geoTimeoutMs ?? DEFAULT_GEO_TIMEOUT_MS,
    now: settings.now ?? Date.now,
  };
  // One drain at a time per database: batches of different partitions run side by side, and each would publish the other's records too.
  const draining = new WeakMap<Db, Promise<unknown>>();
  const drain = (deps: BookingDeps) => {
    const next = (draining.get(deps.db) ?? Promise.resolve()).catch(() => {}).then(() => drainOutbox(deps.db, deps.publisher));
    draining.set(deps.db, next);
    return next;
  };

  return async (events, deps) => {
    // Redeliveries would be skipped by applyOnce anyway; skipping them here also spares their geo calls.
    const seen = await processedIds(deps.db.client, BOOKING_GROUP, events.map((e) => e.id));
    for (const e of events) if (!seen.has(e.id)) await applyEvent(e, deps, s);
    await drain(deps);
  };
}

async function applyEvent(consumed: ConsumedEvent, deps: BookingDeps, s: BookingHandlerSettings): Promise<void> {
  const event = parseBookingEvent(consumed);
  const before = await loadBooking(deps.db.orm, event.data.bookingId);
  const verdict = decide(before, event);
  const now = s.now();
  const plan = verdict.ok ? await planIfNeeded(event, before, deps, s, now) : undefined;
  const outcome = react({ before, event, verdict, plan, waves: s.waves, now });
  if (outcome.geo.length > 0) await geoCall("setStatus", () => deps.geo.setStatus(outcome.geo), s.geoTimeoutMs);
  const update = outcome.update;
  const truckChanged = before?.orderId && update && (update.status !== before.status || update.driverId !== before.driverId);
  await applyOnce(
    deps.db,
    BOOKING_GROUP,
    [consumed],
    async (tx) => {
      await writeOutcome(tx, outcome, before?.version ?? null, now);
      // A truck of an order: the order rolls up in this same transaction (workers/order/roll-up-store.ts).
      if (truckChanged) {
        const cause = { eventId: consumed.id, correlationId: consumed.correlationId, occurredAt: consumed.occurredAt };
        await rollUpOrder(tx, { orderId: before.orderId!, bookingId: before.bookingId, status: update.status, driverId: update.driverId, cause }, now);
      }
    },
    s.now,
  );
}

function planIfNeeded(event: ParsedBookingEvent, before: LoadedBooking | null, deps: BookingDeps, s: BookingHandlerSettings, now: number): Promise<WavePlan> | undefined {
  if (event.type === "booking.requested") return planWave(deps.geo, { pickup: event.data.pickup, vehicleType: event.data.vehicleType, wave: 0, offeredDriverIds: [] }, s, now);
  if (event.type === "booking.wave-due" && before) return planWave(deps.geo, before, s, now);
  return undefined;
}
