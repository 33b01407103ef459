import type { FinalFare } from "../events/booking.ts";
import type { VehicleType } from "../events/driver.ts";
import { haversineM } from "../geo/haversine.ts";
import { FARE_CURRENCY, FARE_TABLE, roundToCents, WAITING_FREE_MINUTES } from "./fare.ts";

/**
 * The final fare of a completed trip, from what happened rather than the straight line:
 *
 *   distanceM      = Σ great-circle length between consecutive plausible trail points
 *                    recorded from the start to the completion request
 *   waitingS       = started − arrived (0 when the driver started without arriving first)
 *   distanceCharge = perKm × distanceM / 1000
 *   waitingFee     = waitingPerMin × started minutes past WAITING_FREE_MINUTES
 *   amount         = (base + distanceCharge) × surge + waitingFee
 *
 * (tariffs in fare.ts; surge is the multiplier locked when the booking was requested;
 * waiting is not surged: the driver's time at the pickup costs the same whatever the demand).
 *
 * Tolerance. The trail is downsampled (shared/history/downsample.ts: a point is kept
 * when ≥ 50 m from, or ≥ 30 s after, the last kept one), so the polyline through its
 * points is inscribed in the road actually driven: it is never longer, and shorter by
 * at most the stretch before the first and after the last kept point (< 50 m each) plus
 * what each turn cuts between two points ≤ 50 m apart (≤ 15 m for a right angle). A
 * trip of length L with k turns is priced on a distance in [L − 100 m − 15 m × k, L];
 * tests/trip-lifecycle*.test.ts checks a known path against that. Fixes flagged
 * implausible (a GPS jump, a spoof) are left out: one bad fix would add kilometres.
 */

export interface PricedTrip {
  vehicleType: VehicleType;
  surge: number;
  /** ISO-8601; null when the driver started without arriving first. */
  arrivedAt: string | null;
  startedAt: string;
}

export interface FarePoint {
  lat: number;
  lng: number;
  /** Device time, ms since epoch. */
  recordedAt: number;
  /** Implausible fixes carry flags and are skipped. */
  flags?: readonly string[];
}

/** Metres along the plausible points, in recordedAt order. */
export function drivenDistanceM(points: readonly FarePoint[]): number {
  const plausible = points.filter((p) => !p.flags?.length).toSorted((a, b) => a.recordedAt - b.recordedAt);
  let m = 0;
  for (let i = 1; i < plausible.length; i++) {
    const [a, b] = [plausible[i - 1]!, plausible[i]!];
    m += haversineM(a.lat, a.lng, b.lat, b.lng);
  }
  return m;
}

export function finalFare(trip: PricedTrip, trail: readonly FarePoint[]): FinalFare {
  const tariff = FARE_TABLE[trip.vehicleType];
  const distanceM = Math.round(drivenDistanceM(trail));
  const waitingS = trip.arrivedAt ? Math.max(0, Math.round((Date.parse(trip.startedAt) - Date.parse(trip.arrivedAt)) / 1000)) : 0;
  const chargedMinutes = Math.max(0, Math.ceil(waitingS / 60) - WAITING_FREE_MINUTES);
  const distanceCharge = roundToCents((tariff.perKm * distanceM) / 1000);
  const waitingFee = roundToCents(tariff.waitingPerMin * chargedMinutes);
  return {
    distanceM,
    waitingS,
    base: tariff.base,
    distanceCharge,
    waitingFee,
    surge: trip.surge,
    amount: roundToCents((tariff.base + distanceCharge) * trip.surge + waitingFee),
    currency: FARE_CURRENCY,
  };
}
