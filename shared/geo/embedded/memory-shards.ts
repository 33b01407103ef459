import type { VehicleType } from "../../events/driver.ts";
import type { NearbyDriver, NearbyQuery } from "../geo-index.ts";
import { haversineM } from "../haversine.ts";
import type { ShardReader } from "../ring-search.ts";

interface Member {
  lat: number;
  lng: number;
  at: number;
}

/** Where a driver sits in the index: its vehicle type and coarse cell. */
export interface ShardRef {
  vehicleType: VehicleType;
  cell: string;
}

/**
 * The embedded twin of the Redis shards: per vehicle type, per cell, the available
 * drivers with their newest fix. An empty cell is deleted at once, so the occupied
 * cells of a type are exactly the keys of its map.
 */
export class MemoryShards implements ShardReader {
  private readonly byType = new Map<VehicleType, Map<string, Map<string, Member>>>();

  enter(driverId: string, ref: ShardRef, member: Member): void {
    let cells = this.byType.get(ref.vehicleType);
    if (!cells) this.byType.set(ref.vehicleType, (cells = new Map()));
    let shard = cells.get(ref.cell);
    if (!shard) cells.set(ref.cell, (shard = new Map()));
    shard.set(driverId, member);
  }

  leave(driverId: string, ref: ShardRef): void {
    const cells = this.byType.get(ref.vehicleType);
    const shard = cells?.get(ref.cell);
    if (!cells || !shard) return;
    shard.delete(driverId);
    if (shard.size === 0) cells.delete(ref.cell);
  }

  /** Removes members whose newest fix is older than `before`; resolves with how many. */
  dropOlderThan(before: number): number {
    let dropped = 0;
    for (const cells of this.byType.values()) {
      for (const [cell, shard] of cells) {
        for (const [id, m] of shard) {
          if (m.at < before) {
            shard.delete(id);
            dropped++;
          }
        }
        if (shard.size === 0) cells.delete(cell);
      }
    }
    return dropped;
  }

  async searchCells(q: NearbyQuery, cells: string[], radiusM: number): Promise<NearbyDriver[][]> {
    const freshAfter = q.now - q.staleAfterMs;
    const byCell = this.byType.get(q.vehicleType);
    return cells.map((cell) => {
      const found: NearbyDriver[] = [];
      for (const [driverId, m] of byCell?.get(cell) ?? []) {
        if (m.at < freshAfter) continue;
        const distanceM = haversineM(q.lat, q.lng, m.lat, m.lng);
        if (distanceM <= radiusM) found.push({ driverId, lat: m.lat, lng: m.lng, distanceM, lastSeenAt: m.at });
      }
      return found.sort((a, b) => a.distanceM - b.distanceM).slice(0, q.limit);
    });
  }

  async occupiedCells(vehicleType: VehicleType): Promise<string[]> {
    return [...(this.byType.get(vehicleType)?.keys() ?? [])];
  }
}
