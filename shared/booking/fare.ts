import type { Fare, Place } from "../events/booking.ts";
import type { VehicleType } from "../events/driver.ts";
import { haversineM } from "../geo/haversine.ts";

/**
 * The fare quoted when a booking is requested:
 *
 *   amount = (base + perKm × km) × surge, rounded to 2 decimals, in FARE_CURRENCY
 *
 * where km is the great-circle distance pickup → dropoff (the road is longer; the
 * per-km rates are set with that in mind) and surge is 1.0 until surge pricing exists.
 *
 * | vehicle   | base | per km |      | vehicle   | base | per km |
 * |-----------|-----:|-------:|------|-----------|-----:|-------:|
 * | bike      |   20 |      8 |      | tipper    |  600 |     45 |
 * | auto      |   30 |     12 |      | container |  900 |     60 |
 * | sedan     |   50 |     16 |      | open      |  500 |     40 |
 * | suv       |   70 |     20 |      | trailer   | 1200 |     75 |
 * | van       |   90 |     24 |      | reefer    | 1000 |     70 |
 *
 * (INR: rides and single trucks in an Indian metro.)
 */
export const FARE_CURRENCY = "INR";

export interface Tariff {
  base: number;
  perKm: number;
}

export const FARE_TABLE: Readonly<Record<VehicleType, Tariff>> = {
  bike: { base: 20, perKm: 8 },
  auto: { base: 30, perKm: 12 },
  sedan: { base: 50, perKm: 16 },
  suv: { base: 70, perKm: 20 },
  van: { base: 90, perKm: 24 },
  tipper: { base: 600, perKm: 45 },
  container: { base: 900, perKm: 60 },
  open: { base: 500, perKm: 40 },
  trailer: { base: 1200, perKm: 75 },
  reefer: { base: 1000, perKm: 70 },
};

export interface FareRequest {
  pickup: Pick<Place, "lat" | "lng">;
  dropoff: Pick<Place, "lat" | "lng">;
  vehicleType: VehicleType;
  /** Demand multiplier; 1.0 (the default) until surge pricing exists. */
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
