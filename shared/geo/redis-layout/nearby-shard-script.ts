import type { LuaScript } from "./lua-script.ts";

/**
 * Several shards' part of a nearby search, in one slot (the shards of one partition):
 * KEYS = each shard's GEO set then its last-seen set, pair after pair. ARGV: lng, lat,
 * radiusM, limit, freshAfter, cell area in m². Replies flat: driverId, distance, lng,
 * lat, lastSeenAt per driver, nearest first (ties by id, as ring-search.ts orders them),
 * at most `limit` fresh drivers within the radius over all the shards.
 *
 * GEOSEARCH cost grows with the members in the area it scans, not with COUNT, so each
 * shard's search starts from the radius that would hold ~1.5 × limit members if the
 * shard's drivers were spread evenly over the cell, and widens (× 3) only while it has
 * found fewer than `limit`. When stale drivers (not yet dropped) crowd the nearest COUNT
 * it asks for more at the same radius. Found ≥ limit within r means nothing outside r
 * can be among the shard's nearest `limit`, so each shard's answer, and their merge, is exact.
 */
export const NEARBY_SHARD: LuaScript = {
  name: "nearby-shards",
  source: `
local lng, lat = ARGV[1], ARGV[2]
local maxR, limit, fresh, area = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])

local function lastSeen(seenKey, ids)
  local out = {}
  for i = 1, #ids, 1000 do
    local part = redis.call('ZMSCORE', seenKey, unpack(ids, i, math.min(i + 999, #ids)))
    for j = 1, #part do out[#out + 1] = part[j] end
  end
  return out
end

-- The shard's nearest fresh drivers, at most limit, each {id, distance, lng, lat, lastSeen}.
local function searchShard(geoKey, seenKey, found)
  local n = redis.call('ZCARD', geoKey)
  if n == 0 then return end
  local r = math.min(maxR, math.max(50, 1.5 * math.sqrt(limit * area / (math.pi * n))))
  local count = limit
  while true do
    local hits = redis.call('GEOSEARCH', geoKey, 'FROMLONLAT', lng, lat, 'BYRADIUS', r, 'm', 'ASC', 'COUNT', count, 'WITHDIST', 'WITHCOORD')
    local out = {}
    if #hits > 0 then
      local ids = {}
      for i, h in ipairs(hits) do ids[i] = h[1] end
      local seen = lastSeen(seenKey, ids)
      for i, h in ipairs(hits) do
        if seen[i] and tonumber(seen[i]) >= fresh and #out < limit then
          out[#out + 1] = { h[1], h[2], h[3][1], h[3][2], seen[i] }
        end
      end
    end
    if #out < limit and #hits == count and count < n then
      count = count * 2
    elseif #out < limit and r < maxR and #hits < n then
      r = math.min(maxR, r * 3)
    else
      for _, d in ipairs(out) do found[#found + 1] = d end
      return
    end
  end
end

local found = {}
for k = 1, #KEYS, 2 do searchShard(KEYS[k], KEYS[k + 1], found) end
table.sort(found, function(a, b)
  local da, db = tonumber(a[2]), tonumber(b[2])
  if da ~= db then return da < db end
  return a[1] < b[1]
end)
local reply = {}
for i = 1, math.min(limit, #found) do
  local d = found[i]
  for j = 1, 5 do reply[#reply + 1] = d[j] end
end
return reply
`,
};
