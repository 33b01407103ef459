import type { DriverStatus, VehicleType } from "../events/driver.ts";

/**
 * The GeoIndex port: where each driver is, whether they are free, and who is near.
 *
 * Positions only move forward: an upsert whose `recordedAt` is not newer than the
 * stored one is ignored, so a redelivered or out-of-order fix never moves a driver
 * backwards (this is what makes the location worker's Redis writes idempotent).
 * Likewise a status change older than the stored one is ignored.
 *
 * A `suspect` fix (implausible: shared/geo/plausibility.ts) counts as the driver's
 * newest fix for that rule, but does not move the driver: the index keeps its last
 * plausible position and takes it out of nearby search until a newer plausible fix
 * arrives, whatever its status does meanwhile. The suspect position itself is not
 * kept: it is most likely wrong (a glitch, a spoof), placing the driver there would
 * put it in the wrong shard for the search that must not find it anyway, and reads
 * of the driver are better served by where it last plausibly was. (The trail keeps
 * the flagged fix.)
 *
 * Nearby search returns only drivers that are `available`, not suspect, of the requested vehicle
 * type, inside the radius and not stale (last fix at or after `now - staleAfterMs`),
 * nearest first, exact (not approximate) up to `limit`.
 */

export interface PositionUpdate {
  driverId: string;
  lat: number;
  lng: number;
  /** Device time of the fix, ms since epoch. */
  recordedAt: number;
  /** The fix is implausible (flagged): see the rule above. Absent: plausible. */
  suspect?: boolean;
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
  /** The driver's last plausible position. */
  position: { lat: number; lng: number; recordedAt: number } | null;
  /** Its newest fix was suspect: it is out of nearby search until a plausible one arrives. */
  suspect: boolean;
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

/** One page of every driver the index knows (listDrivers). */
export interface DriverPage {
  drivers: DriverState[];
  /** Pass back for the next page; null once the listing is complete. */
  cursor: string | null;
}

export interface GeoIndex {
  /** Applies many fixes in one round trip; resolves with how many were newer than the driver's newest (suspect ones included). */
  upsertPositions(updates: PositionUpdate[]): Promise<number>;
  setStatus(updates: StatusUpdate[]): Promise<void>;
  nearby(q: NearbyQuery): Promise<NearbyDriver[]>;
  get(driverId: string): Promise<DriverState | null>;
  /**
   * Every driver the index has a status or a fix for, about `count` a page (a page may be
   * smaller, even empty, before the end), in no particular order. A driver known for the
   * whole listing appears on at least one page (on Redis possibly on two: SCAN's promise);
   * callers de-duplicate by driverId. For the operator console, not for request paths.
   */
  listDrivers(cursor: string | null, count: number): Promise<DriverPage>;
  /** Removes drivers whose newest fix is older than `before` from the search index; resolves with how many. */
  dropStale(before: number): Promise<number>;
  close(): Promise<void>;
}
