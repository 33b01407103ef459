/**
 * `Upstash-Encoding: base64`: every string in a result is sent base64-encoded, except
 * a top-level "OK". Nested strings are always encoded: @upstash/redis decodes them
 * unconditionally, and a bare "OK" would decode to garbage.
 */
export function encodeResult(value: unknown, topLevel = true): unknown {
  if (typeof value === "string") return topLevel && value === "OK" ? value : Buffer.from(value, "utf8").toString("base64");
  if (Array.isArray(value)) return value.map((v) => encodeResult(v, false));
  return value;
}
