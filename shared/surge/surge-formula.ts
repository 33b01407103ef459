import { cellToBoundary, cellToLatLng, latLngToCell } from "h3-js";
import type { VehicleType } from "../events/driver.ts";
import { haversineM } from "../geo/haversine.ts";
import type { SurgeZone, ZoneSurge } from "./surge-store.ts";

/**
 * Surge is priced per H3 cell of resolution 7 (≈ 5.2 km², edge ≈ 1.4 km: a
 * neighbourhood; a driver crosses one in a few minutes) and per vehicle type. Coarser
 * cells (res 6, ≈ 36 km², the geo index's shards) would average a busy station with
 * quiet suburbs; finer ones (res 8, ≈ 0.7 km²) hold too few bookings for a stable ratio.
 */
export const SURGE_RESOLUTION = 7;

/**
 * The multiplier of a zone, recomputed whenever a booking is requested in it and on the
 * surge worker's tick:
 *
 *   pressure = demand / max(supply, 1)
 *              (demand: bookings requested in the zone within the window;
 *               supply: available drivers of the type with a fresh fix in the cell)
 *   target   = clamp(1 + (pressure − 1) × SENSITIVITY, floor, cap)
 *   m        = m_prev + (target − m_prev) × (1 − e^(−Δt / τ)),  rounded to 2 decimals
 *              (Δt: time since the zone's last update; a zone seen for the first
 *              time starts at its target; a step that rounds to no change moves
 *              0.01 toward the target instead, so frequent updates never stall short of it)
 *
 * So one booking per free driver keeps the price, three per driver ask double at
 * sensitivity ½, and a jump in demand moves the price 63 % of the way in τ rather than
 * at once; when demand leaves the window the multiplier decays back to the floor the
 * same way. Defaults: window 10 min, floor 1.0, cap 3.0, τ 60 s (SURGE_* variables).
 */
export interface SurgeSettings {
  windowMs: number;
  floor: number;
  cap: number;
  /** τ, the smoothing time constant. */
  smoothingMs: number;
}

export const DEFAULT_SURGE: SurgeSettings = { windowMs: 600_000, floor: 1, cap: 3, smoothingMs: 60_000 };
export const SENSITIVITY = 0.5;

export function checkSurgeSettings(s: SurgeSettings): SurgeSettings {
  if (!(s.floor > 0 && s.floor <= s.cap && s.cap <= 10)) throw new Error(`surge needs 0 < floor ≤ cap ≤ 10 (got ${s.floor}, ${s.cap})`);
  if (!(s.windowMs > 0 && s.smoothingMs > 0)) throw new Error("surge window and smoothing must be positive");
  return s;
}

export function surgeZoneOf(lat: number, lng: number, vehicleType: VehicleType): SurgeZone {
  return { cell: latLngToCell(lat, lng, SURGE_RESOLUTION), vehicleType };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function targetMultiplier(demand: number, supply: number, s: SurgeSettings): number {
  const pressure = demand / Math.max(supply, 1);
  return Math.min(s.cap, Math.max(s.floor, 1 + (pressure - 1) * SENSITIVITY));
}

/** A zone's next state from its previous one (null: never computed) and what was just counted. */
export function nextSurge(
  zone: SurgeZone,
  prev: ZoneSurge | null,
  counted: { demand: number; supply: number },
  now: number,
  s: SurgeSettings,
): ZoneSurge {
  const target = targetMultiplier(counted.demand, counted.supply, s);
  const multiplier = prev ? smoothed(prev.multiplier, round2(target), now - prev.updatedAt, s.smoothingMs) : round2(target);
  return {
    ...zone,
    multiplier,
    ...counted,
    windowS: Math.round(s.windowMs / 1000),
    updatedAt: now,
    settled: counted.demand === 0 && multiplier === round2(s.floor),
  };
}

function smoothed(from: number, target: number, dtMs: number, tauMs: number): number {
  if (dtMs <= 0 || from === target) return from;
  const step = round2(from + (target - from) * (1 - Math.exp(-dtMs / tauMs)));
  if (step !== from) return step;
  return target > from ? round2(from + 0.01) : round2(from - 0.01);
}

/** A circle around the cell: its centre and the distance to its farthest vertex. */
export function cellCircle(cell: string): { lat: number; lng: number; radiusM: number } {
  const [lat, lng] = cellToLatLng(cell);
  const radiusM = Math.max(...cellToBoundary(cell).map(([vLat, vLng]) => haversineM(lat, lng, vLat, vLng)));
  return { lat, lng, radiusM: Math.ceil(radiusM) };
}

export function inCell(lat: number, lng: number, cell: string): boolean {
  return latLngToCell(lat, lng, SURGE_RESOLUTION) === cell;
}
