import type { LuaScript } from "./lua-script.ts";

/** The state fields of each driver hash in KEYS, in one round trip: status, type, lat, lng, at, sus per key (nil when absent). */
export const READ_DRIVERS: LuaScript = {
  name: "read-drivers",
  source: `
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call('HMGET', key, 'status', 'type', 'lat', 'lng', 'at', 'sus')
end
return out
`,
};
