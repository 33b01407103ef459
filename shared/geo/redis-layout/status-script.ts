import type { LuaScript } from "./lua-script.ts";
import { PLACEMENT_LUA } from "./placement-lua.ts";

/**
 * Applies a batch of status changes atomically, each only if newer than the stored one.
 * ARGV: the partition's prefix, then per change: driverId, status, vehicleType, changedAt;
 * every driver is of that partition, and KEYS names their state hashes (for routing).
 *
 * Available → the driver enters its type's shard at its last position (if it has one);
 * busy or offline → it leaves the shard; a new type moves it to that type's shard. A
 * suspect driver (`sus` set: its newest fix was implausible) stays out of every shard.
 */
export const SET_STATUS: LuaScript = {
  name: "set-status",
  source: `${PLACEMENT_LUA}
for i = 2, #ARGV, 4 do
  local id, status, vtype, changed = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local s = redis.call('HMGET', driverKey(id), 'sat', 'shard', 'lat', 'lng', 'at', 'cell', 'sus')
  local prev = tonumber(s[1])
  if prev == nil or tonumber(changed) > prev then
    redis.call('HSET', driverKey(id), 'status', status, 'type', vtype, 'sat', changed)
    local to = false
    if status == 'available' and s[6] and not s[7] then to = vtype .. ':' .. s[6] end
    relocate(id, s[2], to, s[4], s[3], s[5])
  end
end
return 0
`,
};
