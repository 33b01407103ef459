import { getHexagonAreaAvg } from "h3-js";
import { type DriverStatus, VEHICLE_TYPES, type VehicleType } from "../../events/driver.ts";
import { createCellBounds } from "../cell-bounds.ts";
import type { DriverState, GeoIndex, NearbyDriver } from "../geo-index.ts";
import { type ShardReader, searchNearby } from "../ring-search.ts";
import { assertIndexable, DEFAULT_SHARD_RESOLUTION, shardCell, shardName } from "../shard-layout.ts";
import { DROP_STALE } from "./drop-stale-script.ts";
import type { ScriptRun } from "./lua-script.ts";
import { NEARBY_SHARD } from "./nearby-shard-script.ts";
import { READ_DRIVERS } from "./read-drivers-script.ts";
import { redisKeys } from "./redis-keys.ts";
import type { RedisRunner } from "./redis-runner.ts";
import { SET_STATUS } from "./status-script.ts";
import { UPSERT_POSITIONS } from "./upsert-script.ts";

export interface RedisLayoutOptions {
  /** Prepended to every key: lets several indexes (tests, tenants) share one Redis. */
  prefix?: string;
  resolution?: number;
}

/** Shards per dropStale round trip: keeps one pipeline's request and reply small. */
const DROP_BATCH = 500;

/**
 * The GeoIndex over the Redis key layout (redis-keys.ts), for any RedisRunner. Round
 * trips: upsertPositions and setStatus one script each; nearby one pipeline per ring
 * wave (usually one or two); get one HMGET; dropStale one SMEMBERS per type, then one
 * pipeline per DROP_BATCH shards.
 *
 * Cluster: a nearby shard query is single-slot. A dropStale shard run also trims the
 * type's cell set, a declared key in another slot: on Cluster that becomes a second
 * step. The upsert and status scripts learn a driver's type and old shard only inside
 * Redis, so they touch keys they do not declare, in up to four slots per driver (state
 * hash, old and new shard, cell set). On Cluster they would have to be split per slot:
 * a state script on `drv:{id}` that decides the move and returns it, then per-shard
 * scripts that apply it conditionally on the fix's recordedAt (so a replay converges),
 * and a cell-set update. Standalone Redis, a primary with replicas and Upstash run
 * them as they are.
 */
export function createRedisLayoutGeoIndex(runner: RedisRunner, opts: RedisLayoutOptions = {}): GeoIndex {
  const resolution = opts.resolution ?? DEFAULT_SHARD_RESOLUTION;
  const prefix = opts.prefix ?? "fs:";
  const keys = redisKeys(prefix);
  const cellAreaM2 = String(getHexagonAreaAvg(resolution, "m2"));
  const driverPattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}drv:{*}`;
  const bounds = createCellBounds();

  const cellsOf = async (vehicleType: VehicleType) => (await runner.call("SMEMBERS", [keys.cells(vehicleType)])) as string[];
  const reader: ShardReader = {
    async searchCells(q, cells, radiusM) {
      const args = [String(q.lng), String(q.lat), String(radiusM), String(q.limit), String(q.now - q.staleAfterMs), cellAreaM2];
      const runs = cells.map((cell): ScriptRun => {
        const shard = shardName(q.vehicleType, cell);
        return { script: NEARBY_SHARD, keys: [keys.geo(shard), keys.seen(shard)], args };
      });
      return (await runner.pipeline(runs)).map((reply) => parseShardHits(reply as string[]));
    },
    occupiedCells: cellsOf,
  };

  return {
    async upsertPositions(updates) {
      if (updates.length === 0) return 0;
      const args = [prefix];
      for (const u of updates) {
        assertIndexable(u.lat, u.lng, `fix of driver ${u.driverId}`);
        args.push(
          u.driverId,
          String(u.lat),
          String(u.lng),
          String(u.recordedAt),
          u.suspect ? "" : shardCell(u.lat, u.lng, resolution),
          u.suspect ? "1" : "0",
        );
      }
      return Number(await runner.eval(UPSERT_POSITIONS, [], args));
    },

    async setStatus(updates) {
      if (updates.length === 0) return;
      const args = [prefix];
      for (const u of updates) args.push(u.driverId, u.status, u.vehicleType, String(u.changedAt));
      await runner.eval(SET_STATUS, [], args);
    },

    nearby: (q) => searchNearby(q, reader, { resolution, bounds }),

    async get(driverId): Promise<DriverState | null> {
      const fields = await runner.call("HMGET", [keys.driver(driverId), ...STATE_FIELDS]);
      return parseState(driverId, fields as (string | null)[]);
    },

    async listDrivers(cursor, count) {
      // SCAN walks the whole keyspace (other indexes' keys too), so a page may hold fewer than `count` drivers.
      const [next, found] = (await runner.call("SCAN", [cursor ?? "0", "MATCH", driverPattern, "COUNT", String(count)])) as [
        string,
        string[],
      ];
      const replies = found.length === 0 ? [] : ((await runner.eval(READ_DRIVERS, found, [])) as (string | null)[][]);
      const drivers = found.flatMap((key, i) => parseState(keys.driverIdOf(key), replies[i]!) ?? []);
      return { drivers, cursor: next === "0" ? null : next };
    },

    async dropStale(before) {
      const cellsByType = await Promise.all(VEHICLE_TYPES.map(cellsOf));
      const runs = VEHICLE_TYPES.flatMap((vehicleType, t) =>
        cellsByType[t]!.map((cell): ScriptRun => {
          const shard = shardName(vehicleType, cell);
          return { script: DROP_STALE, keys: [keys.geo(shard), keys.seen(shard), keys.cells(vehicleType)], args: [String(before), cell] };
        }),
      );
      let dropped = 0;
      for (let i = 0; i < runs.length; i += DROP_BATCH) {
        for (const n of await runner.pipeline(runs.slice(i, i + DROP_BATCH))) dropped += Number(n);
      }
      return dropped;
    },

    close: () => runner.close(),
  };
}

const STATE_FIELDS = ["status", "type", "lat", "lng", "at", "sus"];

/** A driver hash's STATE_FIELDS; null when it holds none of them (an unknown driver). */
function parseState(driverId: string, [status, type, lat, lng, at, sus]: (string | null)[]): DriverState | null {
  if (status == null && lat == null && sus == null) return null;
  return {
    driverId,
    status: (status ?? null) as DriverStatus | null,
    vehicleType: (type ?? null) as VehicleType | null,
    position: lat == null ? null : { lat: Number(lat), lng: Number(lng), recordedAt: Number(at) },
    suspect: sus != null,
  };
}

/** A shard script's flat reply: driverId, distance, lng, lat, lastSeenAt per driver. */
function parseShardHits(reply: string[]): NearbyDriver[] {
  const hits: NearbyDriver[] = [];
  for (let i = 0; i < reply.length; i += 5) {
    hits.push({
      driverId: reply[i]!,
      distanceM: Number(reply[i + 1]),
      lng: Number(reply[i + 2]),
      lat: Number(reply[i + 3]),
      lastSeenAt: Number(reply[i + 4]),
    });
  }
  return hits;
}
