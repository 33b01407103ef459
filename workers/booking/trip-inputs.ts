import type { FarePoint } from "../../shared/booking/final-fare.ts";
import type { WaveSettings } from "../../shared/booking/waves.ts";
import type { EtaRequest } from "../../shared/eta/eta-estimator.ts";
import { createStraightLineEta } from "../../shared/eta/straight-line-eta.ts";
import { M_PER_DEG_LAT } from "../../shared/geo/haversine.ts";
import { type TrailWindow, trailWindows, windowKey } from "../../shared/history/trail-windows.ts";
import { geoCall } from "../location/geo-call.ts";
import type { ParsedBookingEvent } from "./booking-event.ts";
import type { BookingDeps, BookingHandlerSettings } from "./booking-handler.ts";
import type { LoadedBooking } from "./booking-store.ts";

/** What a trip's events need from outside the booking: an accepting driver's ETA, a completed trip's trail. */
export interface TripInputs {
  for(event: ParsedBookingEvent, before: LoadedBooking): Promise<{ etaMs?: number; trail?: FarePoint[] }>;
}

/** The estimator that cannot fail: what an arrival deadline falls back on when the configured one does (eta-estimator.ts). */
const FALLBACK_ETA = createStraightLineEta();

/**
 * Starts, for a whole batch at once, what its accepts and completion requests will need,
 * as the bookings are stored: each accepting driver's position (one geo `get` each, sent
 * together) and ETA to the pickup, and the trails of the trips asked to complete (one
 * query for the batch). An earlier event of the same batch can change what an event
 * needs (a start just before its completion): then `for` reads it again, for that event
 * alone.
 *
 * A driver with no known position is timed from the farthest wave radius (the farthest
 * a matched driver can be); an estimator that fails is replaced by the straight-line one.
 */
export function tripInputs(
  events: readonly ParsedBookingEvent[],
  stored: ReadonlyMap<string, LoadedBooking | null>,
  deps: BookingDeps,
  s: BookingHandlerSettings,
): TripInputs {
  const etas = new Map<string, Promise<number>>();
  const windows: TrailWindow[] = [];
  for (const e of events) {
    const b = stored.get(e.data.bookingId);
    if (!b) continue;
    if (e.type === "booking.accepted") etas.set(e.id, etaMs(b, e.data.driverId, deps, s));
    const w = windowOf(e, b);
    if (w) windows.push(w);
  }
  const trails = trailWindows(deps.db.orm, windows);
  // Unawaited reads must not reject unhandled when an earlier step throws first.
  for (const p of [trails, ...etas.values()]) p.catch(() => {});

  return {
    async for(e, before) {
      if (e.type === "booking.accepted") return { etaMs: await (etas.get(e.id) ?? etaMs(before, e.data.driverId, deps, s)) };
      const w = windowOf(e, before);
      if (!w) return {};
      const trail = (await trails).get(windowKey(w)) ?? (await trailWindows(deps.db.orm, [w])).get(windowKey(w))!;
      return { trail };
    },
  };
}

/** The trail a completion is priced on: the driver's, from the start to the request. */
function windowOf(e: ParsedBookingEvent, b: LoadedBooking): TrailWindow | null {
  if (e.type !== "booking.completion-requested" || !b.driverId || !b.startedAt) return null;
  return { driverId: b.driverId, from: Date.parse(b.startedAt), to: Date.parse(e.occurredAt) };
}

async function etaMs(b: LoadedBooking, driverId: string, deps: BookingDeps, s: BookingHandlerSettings): Promise<number> {
  const state = await geoCall("get", () => deps.geo.get(driverId), s.geoTimeoutMs);
  const request: EtaRequest = { from: state?.position ?? farthestMatch(b, s.waves), to: b.pickup, vehicleType: b.vehicleType };
  const eta = await deps.eta.estimate(request).catch(() => FALLBACK_ETA.estimate(request));
  return eta.seconds * 1000;
}

function farthestMatch(b: LoadedBooking, waves: WaveSettings): { lat: number; lng: number } {
  return { lat: b.pickup.lat + waves.radiiM.at(-1)! / M_PER_DEG_LAT, lng: b.pickup.lng };
}
