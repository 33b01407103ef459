import type { Fare, Place } from "../events/booking.ts";
import type { VehicleType } from "../events/driver.ts";
import { haversineM } from "../geo/haversine.ts";

/**
 * The fare quoted when a booking is requested:
 *
 *   amount = (base + perKm × km) × surge, rounded to 2 decimals, in FARE_CURRENCY
 *
 * where km is the great-circle distance pickup → dropoff (the road is longer; the
 * per-km rates are set with that in mind) and surge is the pickup zone's multiplier
 * when the booking is requested (shared/surge/), locked for the final fare.
 *
 * | vehicle   | base | per km | waiting / min |      | vehicle   | base | per km | waiting / min |
 * |-----------|-----:|-------:|--------------:|------|-----------|-----:|-------:|--------------:|
 * | bike      |   20 |      8 |             1 |      | tipper    |  600 |     45 |            10 |
 * | auto      |   30 |     12 |           1.5 |      | container |  900 |     60 |            15 |
 * | sedan     |   50 |     16 |             2 |      | open      |  500 |     40 |            10 |
 * | suv       |   70 |     20 |           2.5 |      | trailer   | 1200 |     75 |            20 |
 * | van       |   90 |     24 |             3 |      | reefer    | 1000 |     70 |            20 |
 *
 * Waiting is charged per started minute after WAITING_FREE_MINUTES at the pickup; a
 * cancellation by the customer after the driver arrived, and a customer no-show, cost
 * the base fare (the driver came to the pickup for nothing). The final fare is in
 * final-fare.ts. (INR: rides and single trucks in an Indian metro.)
 */
export const FARE_CURRENCY = "INR";

export interface Tariff {
  base: number;
  perKm: number;
  /** Per started minute of waiting at the pickup past the free minutes. */
  waitingPerMin: number;
}

export const FARE_TABLE: Readonly<Record<VehicleType, Tariff>> = {
  bike: { base: 20, perKm: 8, waitingPerMin: 1 },
  auto: { base: 30, perKm: 12, waitingPerMin: 1.5 },
  sedan: { base: 50, perKm: 16, waitingPerMin: 2 },
  suv: { base: 70, perKm: 20, waitingPerMin: 2.5 },
  van: { base: 90, perKm: 24, waitingPerMin: 3 },
  tipper: { base: 600, perKm: 45, waitingPerMin: 10 },
  container: { base: 900, perKm: 60, waitingPerMin: 15 },
  open: { base: 500, perKm: 40, waitingPerMin: 10 },
  trailer: { base: 1200, perKm: 75, waitingPerMin: 20 },
  reefer: { base: 1000, perKm: 70, waitingPerMin: 20 },
};

/** Minutes a driver waits at the pickup for free. */
export const WAITING_FREE_MINUTES = 3;

/** What the customer owes for a cancellation after the driver arrived, or a no-show: the vehicle type's base fare. */
export function cancellationFee(vehicleType: VehicleType): Fare {
  return { amount: FARE_TABLE[vehicleType].base, currency: FARE_CURRENCY };
}

export interface FareRequest {
  pickup: Pick<Place, "lat" | "lng">;
  dropoff: Pick<Place, "lat" | "lng">;
  vehicleType: VehicleType;
  /** The pickup zone's demand multiplier (shared/surge/); default 1. */
  surge?: number;
}

export function estimateFare(r: FareRequest): Fare {
  const { base, perKm } = FARE_TABLE[r.vehicleType];
  const km = haversineM(r.pickup.lat, r.pickup.lng, r.dropoff.lat, r.dropoff.lng) / 1000;
  return { amount: roundToCents((base + perKm * km) * (r.surge ?? 1)), currency: FARE_CURRENCY };
}

/** Rounds on the decimal value a person reads: 1.005 → 1.01, where Math.round(1.005 * 100) gives 1.00 (binary 100.49999…). */
export function roundToCents(x: number): number {
  return Math.round(Number((x * 100).toPrecision(15))) / 100;
}
