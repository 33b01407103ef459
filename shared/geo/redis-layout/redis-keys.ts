import type { VehicleType } from "../../events/driver.ts";

/**
 * The Redis key layout shared by every Redis adapter (Bun's client, Upstash, Cluster).
 *
 * Hash-slot rule (Redis Cluster, and any sharded Redis): the geo index is cut into
 * `partitions` by driver (partitionOf), and every key of a partition starts with the
 * same hash tag `{p<k>}`, so the whole partition lives in one slot. A driver's state
 * and every shard it can be indexed in are keys of its partition, so one driver's
 * update — read its state, leave the old shard, enter the new one, keep the cell set —
 * is one script in one slot, atomic as on a single Redis, however its type and cell
 * change. A nearby search asks every partition's shards of the cells it visits and
 * merges the answers (exact: each partition answers its own nearest).
 *
 *   <prefix>{p<k>}:drv:<driverId>       hash: status, type, sat (status changedAt),
 *                                       lat, lng, at (newest plausible fix), cell, shard (where it is indexed),
 *                                       sus (recordedAt of a newer suspect fix; absent once a plausible one came)
 *   <prefix>{p<k>}:geo:<type>:<cell>    GEO set of the shard's available drivers of partition k
 *   <prefix>{p<k>}:seen:<type>:<cell>   sorted set: driver → recordedAt of its newest fix
 *   <prefix>{p<k>}:cells:<type>         set of the type's non-empty shard cells in partition k
 *
 * Anyone adding keys beside these: a script may touch only keys of one slot; give
 * every key it touches one hash tag, and name at least one of them in KEYS so a Cluster
 * client routes it (Redis refuses a script touching another slot: CROSSSLOT).
 * The Lua scripts build the same names from ARGV[1], the partition's prefix (LUA_KEYS
 * below); keep the two in step. Changing the partition count moves drivers between
 * partitions: like the shard resolution, it needs a re-index (`fleet replay`).
 */
export interface RedisKeys {
  driver(driverId: string): string;
  geo(shard: string): string;
  seen(shard: string): string;
  cells(vehicleType: VehicleType): string;
}

/** Every key of partition `partition` under `prefix` starts with this; it carries the partition's hash tag. */
export function partitionPrefix(prefix: string, partition: number): string {
  if (/[{}]/.test(prefix))
    throw new RangeError(`a geo index key prefix must not contain braces (they would change the hash tag): ${prefix}`);
  return `${prefix}{p${partition}}:`;
}

/** The keys of one partition, `partitionPrefix` being that partition's prefix. */
export function redisKeys(partitionPrefix: string): RedisKeys {
  return {
    driver: (driverId) => `${partitionPrefix}drv:${driverId}`,
    geo: (shard) => `${partitionPrefix}geo:${shard}`,
    seen: (shard) => `${partitionPrefix}seen:${shard}`,
    cells: (vehicleType) => `${partitionPrefix}cells:${vehicleType}`,
  };
}

/** A SCAN pattern matching the driver keys of every partition under `prefix` (and perhaps a few others: check with driverKeyParts). */
export function driverKeyPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, "\\$&")}{p*}:drv:*`;
}

/** The partition and driverId of a driver key under `prefix`; null for any other key. */
export function driverKeyParts(prefix: string, key: string): { partition: number; driverId: string } | null {
  if (!key.startsWith(prefix)) return null;
  const m = /^\{p(\d+)\}:drv:/.exec(key.slice(prefix.length));
  return m ? { partition: Number(m[1]), driverId: key.slice(prefix.length + m[0].length) } : null;
}

/**
 * The partition a driver belongs to: FNV-1a (32 bit) of its id modulo `partitions`.
 * Written here, not taken from a library, because it must be the same on every runtime
 * the gateway runs on (Bun, Deno, edge) and never change: any stable spread will do.
 */
export function partitionOf(driverId: string, partitions: number): number {
  if (partitions === 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < driverId.length; i++) {
    h ^= driverId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** The same names in Lua, for scripts that learn a driver's shard only inside Redis; ARGV[1] is the partition's prefix. */
export const LUA_KEYS = `
local PREFIX = ARGV[1]
local function driverKey(id) return PREFIX .. 'drv:' .. id end
local function geoKey(shard) return PREFIX .. 'geo:' .. shard end
local function seenKey(shard) return PREFIX .. 'seen:' .. shard end
local function cellsKey(vtype) return PREFIX .. 'cells:' .. vtype end
`;
