import type { LuaScript } from "./lua-script.ts";

/**
 * One shard's part of a nearby search, in one slot: KEYS = the shard's GEO set and its
 * last-seen set. ARGV: lng, lat, radiusM, limit, freshAfter, cell area in m².
 * Replies flat: driverId, distance, lng, lat, lastSeenAt per driver, nearest first,
 * at most `limit` fresh drivers within the radius.
 *
 * GEOSEARCH cost grows with the members in the area it scans, not with COUNT, so the
 * script starts from the radius that would hold ~1.5 × limit members if the shard's
 * drivers were spread evenly over the cell, and widens (× 3) only while it has found
 * fewer than `limit`. When stale drivers (not yet dropped) crowd the nearest COUNT it
 * asks for more at the same radius. Found ≥ limit within r means nothing outside r can
 * be among the nearest `limit`, so the answer is exact.
 */
export const NEARBY_SHARD: LuaScript = {
  name: "nearby-shard",
  source: `
local n = redis.call('ZCARD', KEYS[1])
if n == 0 then return {} end
local lng, lat = ARGV[1], ARGV[2]
local maxR, limit, fresh, area = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local r = math.min(maxR, math.max(50, 1.5 * math.sqrt(limit * area / (math.pi * n))))
local count = limit

local function lastSeen(ids)
  local out = {}
  for i = 1, #ids, 1000 do
    local part = redis.call('ZMSCORE', KEYS[2], unpack(ids, i, math.min(i + 999, #ids)))
    for j = 1, #part do out[#out + 1] = part[j] end
  end
  return out
end

while true do
  local hits = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', lng, lat, 'BYRADIUS', r, 'm', 'ASC', 'COUNT', count, 'WITHDIST', 'WITHCOORD')
  local out = {}
  if #hits > 0 then
    local ids = {}
    for i, h in ipairs(hits) do ids[i] = h[1] end
    local seen = lastSeen(ids)
    for i, h in ipairs(hits) do
      if seen[i] and tonumber(seen[i]) >= fresh then
        local k = #out
        out[k + 1], out[k + 2], out[k + 3], out[k + 4], out[k + 5] = h[1], h[2], h[3][1], h[3][2], seen[i]
        if k + 5 == 5 * limit then return out end
      end
    end
  end
  if #hits == count and count < n then
    count = count * 2
  elseif r < maxR and #hits < n then
    r = math.min(maxR, r * 3)
  else
    return out
  end
end
`,
};
