import { DEFAULT_SURGE, surgeZoneOf } from "../../shared/surge/surge-formula.ts";
import { type DemandEntry, zoneName } from "../../shared/surge/surge-store.ts";
import { parseBookingEvent } from "../booking/booking-event.ts";
import type { WorkerDeps } from "../deps.ts";
import { DEFAULT_GEO_TIMEOUT_MS, geoCall } from "../location/geo-call.ts";
import type { Handler } from "../runtime/handler.ts";
import { type RecomputeSettings, recomputeSurge } from "./recompute.ts";

export type SurgeDeps = Pick<WorkerDeps, "geo" | "surge">;

/** The name this worker's consumer group has in the catalogue. */
export const SURGE_GROUP = "fleet-surge";

export interface SurgeHandlerSettings extends RecomputeSettings {
  now: () => number;
}

/**
 * The surge worker: every `booking.requested` on `bookings` is demand in its pickup's
 * zone (H3 cell × vehicle type, shared/surge/surge-formula.ts), recorded in the
 * SurgeStore once per booking id; then the zones the batch touched are recomputed
 * (recompute.ts). Other booking events are not its business. Its effects are idempotent
 * (demand keyed by booking id, a multiplier recomputed from the store), so it needs no
 * exactly-once bookkeeping: a redelivered batch counts nothing twice. The process running
 * it also recomputes every active zone on a tick (surge-loop.ts), so multipliers fall
 * back as demand leaves the window even when nobody books.
 */
export function createSurgeHandler(settings: Partial<SurgeHandlerSettings> = {}): Handler<SurgeDeps> {
  const s: SurgeHandlerSettings = {
    surge: settings.surge ?? DEFAULT_SURGE,
    staleAfterMs: settings.staleAfterMs ?? 60_000,
    geoTimeoutMs: settings.geoTimeoutMs ?? DEFAULT_GEO_TIMEOUT_MS,
    now: settings.now ?? Date.now,
  };
  return async (events, deps) => {
    const entries: DemandEntry[] = [];
    for (const e of events) {
      if (e.type !== "booking.requested") continue;
      const parsed = parseBookingEvent(e);
      if (parsed.type !== "booking.requested") continue;
      const { pickup, vehicleType, bookingId } = parsed.data;
      entries.push({ ...surgeZoneOf(pickup.lat, pickup.lng, vehicleType), bookingId, at: Date.parse(parsed.occurredAt) });
    }
    if (entries.length === 0) return;
    await geoCall("recordDemand", () => deps.surge.recordDemand(entries), s.geoTimeoutMs, "surge store");
    const zones = [...new Map(entries.map((e) => [zoneName(e), { cell: e.cell, vehicleType: e.vehicleType }])).values()];
    await recomputeSurge(zones, deps, s, s.now());
  };
}
