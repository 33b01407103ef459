/**
 * Bun's RedisClient speaks RESP3; Upstash answers in RESP2 shapes. What differs, and
 * how it is put back:
 * - maps (HGETALL, CONFIG GET, XINFO…) → flat [key, value, …] arrays;
 * - doubles (scores, coordinates) arrive as JS numbers, indistinguishable from integers,
 *   so the commands that reply with doubles are listed and their numbers become
 *   strings, as RESP2 sends them ("1.5", "inf");
 * - WITHSCORES / WITHVALUES replies nest [member, score] pairs → flattened;
 * - booleans → 1 / 0, big numbers → strings, errors inside arrays → their message.
 * Not recoverable: binary (non-UTF-8) values, which Bun has already decoded as text.
 */

const DOUBLE_REPLIES = new Set([
  "ZSCORE",
  "ZMSCORE",
  "ZINCRBY",
  "ZRANGE",
  "ZRANGEBYSCORE",
  "ZREVRANGE",
  "ZREVRANGEBYSCORE",
  "ZPOPMIN",
  "ZPOPMAX",
  "BZPOPMIN",
  "BZPOPMAX",
  "ZRANDMEMBER",
  "ZUNION",
  "ZINTER",
  "ZDIFF",
  "ZMPOP",
  "BZMPOP",
]);
const PAIR_REPLIES = new Set([
  "ZRANGE",
  "ZRANGEBYSCORE",
  "ZREVRANGE",
  "ZREVRANGEBYSCORE",
  "ZPOPMIN",
  "ZPOPMAX",
  "ZRANDMEMBER",
  "ZUNION",
  "ZINTER",
  "ZDIFF",
  "HRANDFIELD",
]);
const COORDINATE_REPLIES = new Set(["GEOPOS", "GEOSEARCH", "GEORADIUS", "GEORADIUS_RO", "GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"]);

export function toUpstashReply(command: string[], reply: unknown): unknown {
  const name = command[0]!.toUpperCase();
  let out = resp2Shape(reply);
  if (PAIR_REPLIES.has(name) && Array.isArray(out) && out.length > 0 && out.every((e) => Array.isArray(e) && e.length === 2))
    out = out.flat();
  const incr = name === "ZADD" && command.some((a) => a.toUpperCase() === "INCR");
  if (DOUBLE_REPLIES.has(name) || incr) return numbersToStrings(out);
  if (COORDINATE_REPLIES.has(name)) return coordinatesToStrings(out);
  return out;
}

function resp2Shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resp2Shape);
  if (v instanceof Error) return v.message;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return v.toString();
  if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, value]) => [k, resp2Shape(value)]);
  return v;
}

/** RESP2's spelling of a double. */
function doubleText(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  return String(n);
}

function numbersToStrings(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(numbersToStrings);
  return typeof v === "number" ? doubleText(v) : v;
}

/** Coordinates are the [lng, lat] number pairs; a GEOSEARCH WITHHASH integer stays a number. */
function coordinatesToStrings(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  if (v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number") return v.map((n) => doubleText(n as number));
  return v.map(coordinatesToStrings);
}
