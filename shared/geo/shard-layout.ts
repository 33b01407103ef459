import { latLngToCell } from "h3-js";
import { NonRetriableError } from "../errors/errors.ts";
import type { VehicleType } from "../events/driver.ts";
import { MAX_INDEXABLE_LAT } from "./indexable-lat.ts";

/**
 * How the available-driver index is cut into shards: one shard per vehicle type and
 * coarse H3 cell, so a nearby search scans only the members of the few cells around
 * the query instead of a whole metro (GEOSEARCH cost grows with the members in the
 * scanned area, not with COUNT — docs/architecture.md, storage rules).
 *
 * Resolution 6 (cells ≈ 36 km², edge ≈ 3.7 km), measured with bench/nearby.ts (100k
 * available drivers of one type in a 40 km metro, 5 km radius, limit 10, 8 clients):
 * res 5 / 6 / 7 / 8 gave 8.1k / 9.8k / 10.2k / 9.4k queries/s with 1.05 / 1.12 / 1.34 /
 * 2.15 shard scripts per query — dense searches barely care, since each shard query is
 * bounded by radius inside Redis (nearby-shard-script.ts). Sparse fleets decide it:
 * 5,000 drivers, 20 km radius: res 6 12.7k q/s (1.7 shards per query), res 7 5.2k
 * (4.9); 200 drivers: res 6 3.3k, res 7 2.0k. Coarser than 6 makes the dense core's
 * shards large and slow (res 5).
 * Changing the resolution changes every shard key: it needs a re-index.
 */
export const DEFAULT_SHARD_RESOLUTION = 6;

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
    throw new NonRetriableError(
      `${what}: position (${lat}, ${lng}) is outside what a geo index can hold (|lat| ≤ ${MAX_INDEXABLE_LAT}, |lng| ≤ 180)`,
    );
  }
}
