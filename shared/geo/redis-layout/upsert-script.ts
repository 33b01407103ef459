import type { LuaScript } from "./lua-script.ts";
import { PLACEMENT_LUA } from "./placement-lua.ts";

/**
 * Applies a batch of fixes atomically; replies with how many moved a driver.
 * ARGV: prefix, then per fix: driverId, lat, lng, recordedAt, cell.
 *
 * Each fix counts only if newer than the driver's newest so far (stored or earlier in
 * this batch), the port's idempotency rule. Reads each driver's state once and writes
 * it once, with its newest fix: a phone's batch of ten fixes costs one move, not ten.
 * A driver enters a shard only when it is available with a known type.
 */
export const UPSERT_POSITIONS: LuaScript = {
  name: "upsert-positions",
  source: `${PLACEMENT_LUA}
local drivers, order, moved = {}, {}, 0
for i = 2, #ARGV, 5 do
  local id = ARGV[i]
  local d = drivers[id]
  if not d then
    local s = redis.call('HMGET', driverKey(id), 'at', 'status', 'type', 'shard')
    d = { at = tonumber(s[1]), status = s[2], vtype = s[3], shard = s[4] }
    drivers[id] = d
    order[#order + 1] = id
  end
  local at = tonumber(ARGV[i + 3])
  if d.at == nil or at > d.at then
    d.at, d.atText, d.lat, d.lng, d.cell, d.dirty = at, ARGV[i + 3], ARGV[i + 1], ARGV[i + 2], ARGV[i + 4], true
    moved = moved + 1
  end
end
for _, id in ipairs(order) do
  local d = drivers[id]
  if d.dirty then
    redis.call('HSET', driverKey(id), 'lat', d.lat, 'lng', d.lng, 'at', d.atText, 'cell', d.cell)
    local to = false
    if d.status == 'available' and d.vtype then to = d.vtype .. ':' .. d.cell end
    relocate(id, d.shard, to, d.lng, d.lat, d.atText)
  end
end
return moved
`,
};
