import type { VehicleType } from "../../shared/events/driver.ts";

/**
 * One metro's geography for the booking benchmark: drivers and pickups spread over a
 * disc around a centre (Bengaluru), a few vehicle types in a city's proportions. Seeded,
 * so two runs offer the same drivers to the same pickups.
 */
export const METRO = { name: "Bengaluru", lat: 12.9716, lng: 77.5946, radiusM: 6_000 } as const;

/** Mostly bikes and autos, then cars; "tipper" stands in for the trucks an order asks for. */
export const VEHICLE_MIX: readonly VehicleType[] = ["bike", "bike", "bike", "auto", "auto", "sedan", "sedan", "tipper"];
export const ORDER_VEHICLE: VehicleType = "tipper";

const M_PER_DEG_LAT = 111_320;

export interface Point {
  lat: number;
  lng: number;
}

/** mulberry32: small, fast, good enough to scatter points; Math.random would make runs differ. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform point in the metro disc (sqrt keeps the density even, not piled at the centre). */
export function pointInMetro(rand: () => number, radiusM: number = METRO.radiusM): Point {
  const r = radiusM * Math.sqrt(rand());
  const theta = 2 * Math.PI * rand();
  const dLat = (r * Math.cos(theta)) / M_PER_DEG_LAT;
  const dLng = (r * Math.sin(theta)) / (M_PER_DEG_LAT * Math.cos((METRO.lat * Math.PI) / 180));
  return { lat: round6(METRO.lat + dLat), lng: round6(METRO.lng + dLng) };
}

export function driverIdOf(runId: string, i: number): string {
  return `bk-${runId}-drv-${i}`;
}

export function vehicleTypeOf(i: number): VehicleType {
  return VEHICLE_MIX[i % VEHICLE_MIX.length]!;
}

/** Passenger types a single booking asks for (orders ask for trucks). */
export const BOOKING_VEHICLES: readonly VehicleType[] = VEHICLE_MIX.filter((t) => t !== ORDER_VEHICLE);

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
