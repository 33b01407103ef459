import type { VehicleType } from "../../events/driver.ts";

/**
 * The Redis key layout shared by both Redis adapters (Bun's client and Upstash). Every
 * key carries a Cluster hash tag: a shard's GEO set and its last-seen set share one
 * tag, so a per-shard search is a single-slot operation.
 *
 *   <prefix>drv:{<driverId>}        hash: status, type, sat (status changedAt),
 *                                   lat, lng, at (newest plausible fix), cell, shard (where it is indexed),
 *                                   sus (recordedAt of a newer suspect fix; absent once a plausible one came)
 *   <prefix>geo:{<type>:<cell>}     GEO set of the shard's available drivers
 *   <prefix>seen:{<type>:<cell>}    sorted set: driver → recordedAt of its newest fix
 *   <prefix>cells:{<type>}          set of the type's non-empty shard cells
 *
 * The Lua scripts build the same names (LUA_KEYS below); keep the two in step.
 */
export interface RedisKeys {
  driver(driverId: string): string;
  /** The driverId in a driver() key. */
  driverIdOf(driverKey: string): string;
  geo(shard: string): string;
  seen(shard: string): string;
  cells(vehicleType: VehicleType): string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    driver: (driverId) => `${prefix}drv:{${driverId}}`,
    driverIdOf: (driverKey) => driverKey.slice(prefix.length + "drv:{".length, -1),
    geo: (shard) => `${prefix}geo:{${shard}}`,
    seen: (shard) => `${prefix}seen:{${shard}}`,
    cells: (vehicleType) => `${prefix}cells:{${vehicleType}}`,
  };
}

/** The same names in Lua, for scripts that learn a driver's shard only inside Redis; ARGV[1] is the prefix. */
export const LUA_KEYS = `
local PREFIX = ARGV[1]
local function driverKey(id) return PREFIX .. 'drv:{' .. id .. '}' end
local function geoKey(shard) return PREFIX .. 'geo:{' .. shard .. '}' end
local function seenKey(shard) return PREFIX .. 'seen:{' .. shard .. '}' end
local function cellsKey(vtype) return PREFIX .. 'cells:{' .. vtype .. '}' end
`;
