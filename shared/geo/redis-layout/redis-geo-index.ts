import { getHexagonAreaAvg } from "h3-js";
import { type DriverStatus, VEHICLE_TYPES, type VehicleType } from "../../events/driver.ts";
import { createCellBounds } from "../cell-bounds.ts";
import { type DriverState, type GeoIndex, invalidListCursor, type NearbyDriver } from "../geo-index.ts";
import { type ShardReader, searchNearby } from "../ring-search.ts";
import { assertIndexable, DEFAULT_SHARD_RESOLUTION, shardCell, shardName } from "../shard-layout.ts";
import { DROP_STALE } from "./drop-stale-script.ts";
import type { ScriptRun } from "./lua-script.ts";
import { NEARBY_SHARD } from "./nearby-shard-script.ts";
import { READ_DRIVERS } from "./read-drivers-script.ts";
import { driverKeyParts, driverKeyPattern, partitionOf, partitionPrefix, type RedisKeys, redisKeys } from "./redis-keys.ts";
import type { RedisRunner } from "./redis-runner.ts";
import { SET_STATUS } from "./status-script.ts";
import { UPSERT_POSITIONS } from "./upsert-script.ts";

export interface RedisLayoutOptions {
  /** Prepended to every key: lets several indexes (tests, tenants) share one Redis. */
  prefix?: string;
  resolution?: number;
  /**
   * Partitions of the index (redis-keys.ts): 1 on one Redis; on a Cluster, several per
   * master so the index spreads over them. Every process sharing the index must agree.
   */
  partitions?: number;
}

/** Shards per dropStale round trip: keeps one pipeline's request and reply small. */
const DROP_BATCH = 500;

/**
 * The GeoIndex over the Redis key layout (redis-keys.ts), for any RedisRunner. Round
 * trips: upsertPositions and setStatus one pipeline (a script per partition the batch
 * touches); nearby one pipeline per ring wave (usually one or two; a script per
 * partition over the wave's cells); get one HMGET; dropStale one SMEMBERS per type and partition, then one
 * pipeline per DROP_BATCH shards.
 *
 * Cluster: every script touches the keys of one partition, so of one hash slot, and
 * names the keys it knows up front in KEYS (the drivers of its batch, or the shards it
 * searches or sweeps); the shards a driver leaves or enters are learnt inside the
 * script from its state, and carry the same hash tag.
 */
export function createRedisLayoutGeoIndex(runner: RedisRunner, opts: RedisLayoutOptions = {}): GeoIndex {
  const resolution = opts.resolution ?? DEFAULT_SHARD_RESOLUTION;
  const prefix = opts.prefix ?? "fs:";
  const partitions = opts.partitions ?? 1;
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a whole number ≥ 1, got ${partitions}`);
  const parts: { prefix: string; keys: RedisKeys }[] = Array.from({ length: partitions }, (_, p) => {
    const pp = partitionPrefix(prefix, p);
    return { prefix: pp, keys: redisKeys(pp) };
  });
  const partOf = (driverId: string) => parts[partitionOf(driverId, partitions)]!;
  const cellAreaM2 = String(getHexagonAreaAvg(resolution, "m2"));
  const driverPattern = driverKeyPattern(prefix);
  const bounds = createCellBounds();

  /** Cells of the type per partition, in partition order. */
  const cellsByPart = (vehicleType: VehicleType) =>
    Promise.all(parts.map(async (p) => (await runner.call("SMEMBERS", [p.keys.cells(vehicleType)])) as string[]));
  const reader: ShardReader = {
    async searchCells(q, cells, radiusM) {
      const args = [String(q.lng), String(q.lat), String(radiusM), String(q.limit), String(q.now - q.staleAfterMs), cellAreaM2];
      const runs = parts.map(
        ({ keys }): ScriptRun => ({
          script: NEARBY_SHARD,
          keys: cells.flatMap((cell) => [keys.geo(shardName(q.vehicleType, cell)), keys.seen(shardName(q.vehicleType, cell))]),
          args,
        }),
      );
      return (await runner.pipeline(runs)).map((reply) => parseShardHits(reply as string[]));
    },
    occupiedCells: async (vehicleType) => [...new Set((await cellsByPart(vehicleType)).flat())],
  };

  /** One script run per partition the batch touches, each over that partition's share of the batch, in batch order. */
  const perPartition = <T extends { driverId: string }>(
    updates: T[],
    script: ScriptRun["script"],
    argsOf: (u: T) => string[],
  ): ScriptRun[] => {
    const byPart = new Map<(typeof parts)[number], T[]>();
    for (const u of updates) {
      const p = partOf(u.driverId);
      const batch = byPart.get(p);
      if (batch) batch.push(u);
      else byPart.set(p, [u]);
    }
    return [...byPart].map(([p, batch]) => ({
      script,
      keys: [...new Set(batch.map((u) => p.keys.driver(u.driverId)))],
      args: [p.prefix, ...batch.flatMap(argsOf)],
    }));
  };

  return {
    async upsertPositions(updates) {
      if (updates.length === 0) return 0;
      for (const u of updates) assertIndexable(u.lat, u.lng, `fix of driver ${u.driverId}`);
      const runs = perPartition(updates, UPSERT_POSITIONS, (u) => [
        u.driverId,
        String(u.lat),
        String(u.lng),
        String(u.recordedAt),
        u.suspect ? "" : shardCell(u.lat, u.lng, resolution),
        u.suspect ? "1" : "0",
      ]);
      return (await runner.pipeline(runs)).reduce((n: number, moved) => n + Number(moved), 0);
    },

    async setStatus(updates) {
      if (updates.length === 0) return;
      await runner.pipeline(perPartition(updates, SET_STATUS, (u) => [u.driverId, u.status, u.vehicleType, String(u.changedAt)]));
    },

    nearby: (q) => searchNearby(q, reader, { resolution, bounds }),

    async get(driverId): Promise<DriverState | null> {
      const fields = await runner.call("HMGET", [partOf(driverId).keys.driver(driverId), ...STATE_FIELDS]);
      return parseState(driverId, fields as (string | null)[]);
    },

    async listDrivers(cursor, count) {
      // SCAN walks the whole keyspace (other indexes' keys too), so a page may hold fewer than `count` drivers.
      const [next, found] = (await runner
        .call("SCAN", [cursor ?? "0", "MATCH", driverPattern, "COUNT", String(count)])
        .catch((err: Error) => {
          // Redis answers "ERR invalid cursor" (and the Cluster walk likewise) for a cursor no listing gave: the caller's mistake.
          throw /invalid cursor/i.test(err.message) ? invalidListCursor(cursor ?? "0", err) : err;
        })) as [string, string[]];
      // One read per partition: its keys share a slot, while one SCAN page may span several.
      const byPart = new Map<number, { keys: string[]; ids: string[] }>();
      for (const key of found) {
        const parsed = driverKeyParts(prefix, key);
        if (!parsed || parsed.partition >= partitions) continue;
        const batch = byPart.get(parsed.partition) ?? { keys: [], ids: [] };
        batch.keys.push(key);
        batch.ids.push(parsed.driverId);
        byPart.set(parsed.partition, batch);
      }
      const batches = [...byPart.values()];
      const replies = await runner.pipeline(batches.map((b): ScriptRun => ({ script: READ_DRIVERS, keys: b.keys, args: [] })));
      const drivers = batches.flatMap((b, i) => b.ids.flatMap((id, k) => parseState(id, (replies[i] as (string | null)[][])[k]!) ?? []));
      return { drivers, cursor: next === "0" ? null : next };
    },

    async dropStale(before) {
      const cellsByType = await Promise.all(VEHICLE_TYPES.map(cellsByPart));
      const runs = VEHICLE_TYPES.flatMap((vehicleType, t) =>
        parts.flatMap(({ keys }, p) =>
          cellsByType[t]![p]!.map((cell): ScriptRun => {
            const shard = shardName(vehicleType, cell);
            return { script: DROP_STALE, keys: [keys.geo(shard), keys.seen(shard), keys.cells(vehicleType)], args: [String(before), cell] };
          }),
        ),
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
