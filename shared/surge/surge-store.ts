import type { VehicleType } from "../events/driver.ts";

/** Where surge is priced: one H3 cell (SURGE_RESOLUTION, surge-formula.ts) and one vehicle type. */
export interface SurgeZone {
  cell: string;
  vehicleType: VehicleType;
}

/** One booking requested in a zone: demand. */
export interface DemandEntry extends SurgeZone {
  bookingId: string;
  /** When it was requested (the event's occurredAt), ms since epoch. */
  at: number;
}

/** A zone's multiplier and the inputs it was derived from, so a customer can be shown why. */
export interface ZoneSurge extends SurgeZone {
  multiplier: number;
  /** Bookings requested in the zone within the window. */
  demand: number;
  /** Available drivers of the type with a fresh fix in the cell. */
  supply: number;
  windowS: number;
  /** When it was computed, ms since epoch. */
  updatedAt: number;
  /** Nothing left to smooth: no demand in the window and the multiplier back at the floor. */
  settled: boolean;
}

/**
 * The SurgeStore port: the surge worker's state, which the gateway reads to quote fares.
 *
 * - `recordDemand` is idempotent per booking id: a redelivered request counts once.
 * - `demand` counts each zone's entries at or after `since` and forgets older ones.
 * - `put` replaces zones' states; `get` answers null for a zone never put.
 * - `activeZones` lists the zones worth recomputing: every zone with recorded demand
 *   since it was last put `settled`, and every zone put unsettled. A zone put settled
 *   leaves the list until new demand is recorded.
 *
 * Contract: surge-store.contract.ts, run by every adapter.
 */
export interface SurgeStore {
  recordDemand(entries: readonly DemandEntry[]): Promise<void>;
  demand(zones: readonly SurgeZone[], since: number): Promise<number[]>;
  put(states: readonly ZoneSurge[]): Promise<void>;
  get(zones: readonly SurgeZone[]): Promise<(ZoneSurge | null)[]>;
  activeZones(): Promise<SurgeZone[]>;
  close(): Promise<void>;
}

/** A zone as one string, `<vehicleType>:<cell>` (also the Redis hash tag of its keys). */
export function zoneName(z: SurgeZone): string {
  return `${z.vehicleType}:${z.cell}`;
}

export function parseZoneName(name: string): SurgeZone {
  const at = name.indexOf(":");
  return { vehicleType: name.slice(0, at) as VehicleType, cell: name.slice(at + 1) };
}
