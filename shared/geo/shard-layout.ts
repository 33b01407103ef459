import { latLngToCell } from "h3-js";
import { NonRetriableError } from "../errors/errors.ts";
import type { VehicleType } from "../events/driver.ts";

/**
 * How the available-driver index is cut into shards: one shard per vehicle type and
 * coarse H3 cell, so a nearby search scans only the members of the few cells around
 * the query instead of a whole metro (GEOSEARCH cost grows with the members in the
 * scanned area, not with COUNT — FACTS.md).
 *
 * Resolution 6 (cells ≈ 36 km², edge ≈ 3.7 km) won on bench/nearby.ts: 100k drivers of
 * one type in a 40 km metro, 5 km searches, limit 10. A search there usually ends in
 * the query's own cell, and a 20 km radius needs few rings of neighbours. Finer cells
 * (res 7) cost more shard round trips per search near edges for no gain, because each
 * shard query is already bounded by radius inside Redis (see nearby-shard-script.ts).
 * Changing the resolution changes every shard key: it needs a re-index.
 */
export const DEFAULT_SHARD_RESOLUTION = 6;

/** Redis GEO (and so every adapter) can hold only latitudes inside the Web Mercator band. */
export const MAX_INDEXABLE_LAT = 85.05112878;

/** The coarse cell a position belongs to. */
export function shardCell(lat: number, lng: number, resolution: number): string {
  return latLngToCell(lat, lng, resolution);
}

/** The shard's name, which is also its Redis Cluster hash tag: `sedan:862a1072fffffff`. */
export function shardName(vehicleType: VehicleType, cell: string): string {
  return `${vehicleType}:${cell}`;
}

/**
 * Rejects a position no geo index can hold before anything is written: retrying
 * cannot help, so the caller dead-letters it rather than stalling a partition.
 */
export function assertIndexable(lat: number, lng: number, what: string): void {
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > MAX_INDEXABLE_LAT || Math.abs(lng) > 180) {
    throw new NonRetriableError(`${what}: position (${lat}, ${lng}) is outside what a geo index can hold (|lat| ≤ ${MAX_INDEXABLE_LAT}, |lng| ≤ 180)`);
  }
}
