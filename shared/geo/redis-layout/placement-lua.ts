import { LUA_KEYS } from "./redis-keys.ts";

/**
 * Lua shared by the upsert and status scripts: moves a driver between shards and keeps
 * the per-type set of non-empty cells exact (dropStale and wide searches walk it, so a
 * missing cell would hide drivers). A shard is named `<type>:<cell>`.
 */
export const PLACEMENT_LUA = `${LUA_KEYS}
local function cellsOf(shard)
  local vtype, cell = string.match(shard, '^([^:]+):(.+)$')
  return cellsKey(vtype), cell
end

local function leave(id, shard)
  local geo = geoKey(shard)
  redis.call('ZREM', geo, id)
  redis.call('ZREM', seenKey(shard), id)
  if redis.call('EXISTS', geo) == 0 then
    local cells, cell = cellsOf(shard)
    redis.call('SREM', cells, cell)
  end
end

local function enter(id, shard, lng, lat, at)
  redis.call('GEOADD', geoKey(shard), lng, lat, id)
  redis.call('ZADD', seenKey(shard), at, id)
  local cells, cell = cellsOf(shard)
  redis.call('SADD', cells, cell)
end

-- Puts driver id in shard 'to' (false: in none), leaving 'from' (false: none), and records it in the state hash.
-- Re-entering the same shard is not skipped: dropStale may have removed the driver from it.
local function relocate(id, from, to, lng, lat, at)
  if from and from ~= to then leave(id, from) end
  if to then
    enter(id, to, lng, lat, at)
    if from ~= to then redis.call('HSET', driverKey(id), 'shard', to) end
  elseif from then
    redis.call('HDEL', driverKey(id), 'shard')
  end
end
`;
