import type { DriverStatus, VehicleType } from "../events/driver.ts";

/**
 * The GeoIndex port: where each driver is, whether they are free, and who is near.
 *
 * Positions only move forward: an upsert whose `recordedAt` is not newer than the
 * stored one is ignored, so a redelivered or out-of-order fix never moves a driver
 * backwards (this is what makes the location worker's Redis writes idempotent).
 * Likewise a status change older than the stored one is ignored.
 *
 * Nearby search returns only drivers that are `available`, of the requested vehicle
 * type, inside the radius and not stale (last fix at or after `now - staleAfterMs`),
 * nearest first, exact (not approximate) up to `limit`.
 */

export interface PositionUpdate {
  driverId: string;
  lat: number;
  lng: number;
  /** Device time of the fix, ms since epoch. */
  recordedAt: number;
}

export interface StatusUpdate {
  driverId: string;
  status: DriverStatus;
  vehicleType: VehicleType;
  /** When the status changed, ms since epoch; orders status updates of one driver. */
  changedAt: number;
}

export interface DriverState {
  driverId: string;
  status: DriverStatus | null;
  vehicleType: VehicleType | null;
  position: { lat: number; lng: number; recordedAt: number } | null;
}

export interface NearbyQuery {
  lat: number;
  lng: number;
  radiusM: number;
  vehicleType: VehicleType;
  limit: number;
  /** Reference time for staleness, ms since epoch. */
  now: number;
  staleAfterMs: number;
}

export interface NearbyDriver {
  driverId: string;
  lat: number;
  lng: number;
  distanceM: number;
  /** recordedAt of the driver's newest fix, ms since epoch. */
  lastSeenAt: number;
}

export interface GeoIndex {
  /** Applies many fixes in one round trip; resolves with how many moved a driver (newer than stored). */
  upsertPositions(updates: PositionUpdate[]): Promise<number>;
  setStatus(updates: StatusUpdate[]): Promise<void>;
  nearby(q: NearbyQuery): Promise<NearbyDriver[]>;
  get(driverId: string): Promise<DriverState | null>;
  /** Removes drivers whose newest fix is older than `before` from the search index; resolves with how many. */
  dropStale(before: number): Promise<number>;
  close(): Promise<void>;
}
