import type { LuaScript } from "../../geo/redis-layout/lua-script.ts";

/*
 * The trip stream's two scripts. Each touches only one booking's keys, which share the
 * hash tag {<bookingId>} (redis-trip-stream.ts), so each is a single-slot call on a
 * Redis Cluster too.
 */

/**
 * KEYS: stream, meta hash, channel. ARGV: maxEntries, liveTtlMs, endedTtlMs, batches as
 * JSON [{key?, series?, at?, gap?, ends?, entries: [[kind, data], …]}] (numbers as
 * strings, so no JSON number ever rounds).
 *
 * Per batch, in order: skipped once the stream ended, when its key is already in the
 * meta hash, or when its series' last `at` plus the gap is after its own `at`; otherwise
 * its entries are XADDed with ids Redis assigns (trimmed to exactly maxEntries: the
 * contract promises the newest maxEntries; the newest id trimmed away is kept in the
 * meta hash, since XINFO's max-deleted-entry-id counts XDEL only) and the meta hash
 * records its key, its series' `at` and, for the last batch, the end. Then both keys get the live or the
 * ended TTL, and when anything was appended the channel hears the last id.
 * Returns the number of entries appended.
 */
export const APPEND_TRIP: LuaScript = {
  name: "trip-append",
  source: `
local stream, meta, channel = KEYS[1], KEYS[2], KEYS[3]
local batches = cjson.decode(ARGV[4])
local ended = redis.call('HEXISTS', meta, 'end') == 1
local appended, last = 0, nil
for _, b in ipairs(batches) do
  if ended then break end
  local take = true
  if b.key and redis.call('HEXISTS', meta, 'k:' .. b.key) == 1 then take = false end
  if take and b.series then
    local prev = redis.call('HGET', meta, 's:' .. b.series)
    if prev and tonumber(b.at) < tonumber(prev) + tonumber(b.gap) then take = false end
  end
  if take then
    for _, e in ipairs(b.entries) do
      local over = redis.call('XLEN', stream) + 1 - tonumber(ARGV[1])
      if over > 0 then
        local gone = redis.call('XRANGE', stream, '-', '+', 'COUNT', over)
        redis.call('HSET', meta, 'trimmed', gone[#gone][1])
      end
      last = redis.call('XADD', stream, 'MAXLEN', '=', ARGV[1], '*', 'k', e[1], 'd', e[2])
      appended = appended + 1
    end
    if b.key then redis.call('HSET', meta, 'k:' .. b.key, '1') end
    if b.series then redis.call('HSET', meta, 's:' .. b.series, b.at) end
    if b.ends then
      redis.call('HSET', meta, 'end', last or '')
      ended = true
    end
  end
end
local ttl = ended and ARGV[3] or ARGV[2]
redis.call('PEXPIRE', stream, ttl)
redis.call('PEXPIRE', meta, ttl)
if appended > 0 then redis.call('PUBLISH', channel, last) end
return appended
`,
};

/**
 * KEYS: stream, meta hash. ARGV: after ('' for the start), limit.
 * Returns {entries as XRANGE gives them, end id or false, newest trimmed id or false}.
 */
export const READ_TRIP: LuaScript = {
  name: "trip-read",
  source: `
local stream, meta, after = KEYS[1], KEYS[2], ARGV[1]
local start = '-'
if after ~= '' then start = '(' .. after end
local entries = redis.call('XRANGE', stream, start, '+', 'COUNT', ARGV[2])
local state = redis.call('HMGET', meta, 'end', 'trimmed')
return {entries, state[1], state[2]}
`,
};
