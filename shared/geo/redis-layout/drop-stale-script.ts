import type { LuaScript } from "./lua-script.ts";

/**
 * Removes one shard's drivers whose newest fix is older than ARGV[1]; replies with how
 * many. KEYS = the shard's GEO set, its last-seen set, the type's cell set; ARGV[2] =
 * the shard's cell, dropped from the cell set once the shard is empty. The driver's
 * state hash keeps its position and status (get() still answers).
 */
export const DROP_STALE: LuaScript = {
  name: "drop-stale",
  source: `
local ids = redis.call('ZRANGE', KEYS[2], '-inf', '(' .. ARGV[1], 'BYSCORE')
for i = 1, #ids, 1000 do
  local j = math.min(i + 999, #ids)
  redis.call('ZREM', KEYS[1], unpack(ids, i, j))
  redis.call('ZREM', KEYS[2], unpack(ids, i, j))
end
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
return #ids
`,
};
