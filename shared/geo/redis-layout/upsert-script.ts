import type { LuaScript } from "./lua-script.ts";
import { PLACEMENT_LUA } from "./placement-lua.ts";

/**
 * Applies a batch of fixes atomically; replies with how many were newer than the
 * driver's newest. ARGV: the partition's prefix, then per fix: driverId, lat, lng,
 * recordedAt, cell, suspect ('1' or '0'; a suspect fix's cell is unused and may be
 * empty). Every driver is of that partition; KEYS names their state hashes (for routing).
 *
 * Each fix counts only if newer than the driver's newest so far (stored or earlier in
 * this batch; a suspect fix's time is in `sus`), the port's idempotency rule. Reads each
 * driver's state once and writes it once, with its newest fix: a phone's batch of ten
 * fixes costs one move, not ten. A plausible fix moves the driver and clears `sus`; a
 * suspect one only sets `sus`, keeping the last plausible position. A driver enters a
 * shard only when it is available with a known type, a position and no `sus`.
 */
export const UPSERT_POSITIONS: LuaScript = {
  name: "upsert-positions",
  source: `${PLACEMENT_LUA}
local drivers, order, moved = {}, {}, 0
for i = 2, #ARGV, 6 do
  local id = ARGV[i]
  local d = drivers[id]
  if not d then
    local s = redis.call('HMGET', driverKey(id), 'at', 'status', 'type', 'shard', 'sus')
    d = { status = s[2], vtype = s[3], shard = s[4], sus = tonumber(s[5]), hadSus = s[5] ~= false }
    d.newest = math.max(tonumber(s[1]) or -math.huge, d.sus or -math.huge)
    drivers[id] = d
    order[#order + 1] = id
  end
  local at = tonumber(ARGV[i + 3])
  if at > d.newest then
    d.newest, d.dirty = at, true
    if ARGV[i + 5] == '1' then
      d.sus, d.susText = at, ARGV[i + 3]
    else
      d.sus, d.susText = nil, nil
      d.atText, d.lat, d.lng, d.cell, d.moved = ARGV[i + 3], ARGV[i + 1], ARGV[i + 2], ARGV[i + 4], true
    end
    moved = moved + 1
  end
end
for _, id in ipairs(order) do
  local d = drivers[id]
  if d.dirty then
    if d.moved then redis.call('HSET', driverKey(id), 'lat', d.lat, 'lng', d.lng, 'at', d.atText, 'cell', d.cell) end
    if d.susText then
      redis.call('HSET', driverKey(id), 'sus', d.susText)
    elseif d.hadSus then
      redis.call('HDEL', driverKey(id), 'sus')
    end
    local to = false
    if d.status == 'available' and d.vtype and d.moved and not d.sus then to = d.vtype .. ':' .. d.cell end
    relocate(id, d.shard, to, d.lng, d.lat, d.atText)
  end
end
return moved
`,
};
