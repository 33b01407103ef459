import type { DriverStatus, VehicleType } from "../../events/driver.ts";
import { createCellBounds } from "../cell-bounds.ts";
import type { DriverState, GeoIndex, PositionUpdate, StatusUpdate } from "../geo-index.ts";
import { searchNearby } from "../ring-search.ts";
import { assertIndexable, DEFAULT_SHARD_RESOLUTION, shardCell } from "../shard-layout.ts";
import { MemoryShards, type ShardRef } from "./memory-shards.ts";

/**
 * In-process GeoIndex for dev mode (docs/architecture.md, ports and adapters): the same shard layout and ring search
 * as the Redis adapters, over Maps. Where it differs from the port's other adapters:
 * - state lives in this process only: it is empty after a restart (the location and
 *   status workers rebuild it by replaying their topics) and is not shared between
 *   processes, so the gateway and the workers must run in one process (`bun run dev`);
 * - positions are kept exactly, where Redis rounds them to ~0.6 m (52-bit geohash).
 */
export interface EmbeddedGeoOptions {
  resolution?: number;
}

interface DriverRecord {
  status: DriverStatus | null;
  statusAt: number;
  vehicleType: VehicleType | null;
  /** The last plausible position. */
  position: { lat: number; lng: number; recordedAt: number; cell: string } | null;
  /** recordedAt of the newest fix when that one was suspect (it is newer than `position`); null when plausible. */
  suspectAt: number | null;
  /** The shard holding the driver, when it is available and has a position. */
  shard: ShardRef | null;
}

function stateOf(driverId: string, r: DriverRecord): DriverState {
  const p = r.position;
  return {
    driverId,
    status: r.status,
    vehicleType: r.vehicleType,
    position: p && { lat: p.lat, lng: p.lng, recordedAt: p.recordedAt },
    suspect: r.suspectAt !== null,
  };
}

export function createEmbeddedGeoIndex(opts: EmbeddedGeoOptions = {}): GeoIndex {
  const resolution = opts.resolution ?? DEFAULT_SHARD_RESOLUTION;
  const drivers = new Map<string, DriverRecord>();
  const shards = new MemoryShards();
  const bounds = createCellBounds();

  const record = (driverId: string): DriverRecord => {
    let r = drivers.get(driverId);
    if (!r)
      drivers.set(driverId, (r = { status: null, statusAt: -Infinity, vehicleType: null, position: null, suspectAt: null, shard: null }));
    return r;
  };

  /** Puts the driver in the shard its status and position call for, leaving the old one. */
  const place = (driverId: string, r: DriverRecord): void => {
    if (r.shard) shards.leave(driverId, r.shard);
    r.shard =
      r.status === "available" && r.vehicleType && r.position && r.suspectAt === null
        ? { vehicleType: r.vehicleType, cell: r.position.cell }
        : null;
    if (r.shard && r.position) shards.enter(driverId, r.shard, { lat: r.position.lat, lng: r.position.lng, at: r.position.recordedAt });
  };

  return {
    async upsertPositions(updates: PositionUpdate[]) {
      for (const u of updates) assertIndexable(u.lat, u.lng, `fix of driver ${u.driverId}`);
      let moved = 0;
      for (const u of updates) {
        const r = record(u.driverId);
        if (u.recordedAt <= Math.max(r.position?.recordedAt ?? -Infinity, r.suspectAt ?? -Infinity)) continue;
        if (u.suspect) {
          r.suspectAt = u.recordedAt;
        } else {
          r.position = { lat: u.lat, lng: u.lng, recordedAt: u.recordedAt, cell: shardCell(u.lat, u.lng, resolution) };
          r.suspectAt = null;
        }
        place(u.driverId, r);
        moved++;
      }
      return moved;
    },

    async setStatus(updates: StatusUpdate[]) {
      for (const u of updates) {
        const r = record(u.driverId);
        if (u.changedAt <= r.statusAt) continue;
        r.status = u.status;
        r.vehicleType = u.vehicleType;
        r.statusAt = u.changedAt;
        place(u.driverId, r);
      }
    },

    nearby: (q) => searchNearby(q, shards, { resolution, bounds }),

    async get(driverId): Promise<DriverState | null> {
      const r = drivers.get(driverId);
      return r ? stateOf(driverId, r) : null;
    },

    async listDrivers(cursor, count) {
      // Drivers are never removed from the map and new ones are appended, so an offset into it is a stable cursor.
      const from = cursor === null ? 0 : Number(cursor);
      const page: DriverState[] = [];
      let i = 0;
      for (const [id, r] of drivers) {
        if (i++ < from) continue;
        if (page.length === count) break;
        page.push(stateOf(id, r));
      }
      return { drivers: page, cursor: from + page.length < drivers.size ? String(from + page.length) : null };
    },

    async dropStale(before) {
      return shards.dropOlderThan(before);
    },

    async close() {},
  };
}
