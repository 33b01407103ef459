import type { HonoJsonWebKey } from "hono/utils/jwt/jws";

const REFRESH_MS = 10 * 60_000;

/**
 * The keys at a JWKS URL, fetched at most every 10 minutes rather than on every request
 * (hono/jwk fetches `jwks_uri` per request). A failed refresh keeps the keys it had, so
 * an identity provider's blip does not log everyone out; with no keys at all the fetch
 * error propagates and the request is refused.
 */
export function jwksCache(url: string, fetchFn: typeof fetch = fetch): () => Promise<HonoJsonWebKey[]> {
  let keys: HonoJsonWebKey[] | undefined;
  let fetchedAt = 0;
  let inflight: Promise<HonoJsonWebKey[]> | undefined;

  async function refresh(): Promise<HonoJsonWebKey[]> {
    const res = await fetchFn(url);
    if (!res.ok) throw new Error(`JWKS ${url} answered ${res.status}`);
    const body = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error(`JWKS ${url} has no "keys" array`);
    keys = body.keys as HonoJsonWebKey[];
    fetchedAt = Date.now();
    return keys;
  }

  return async () => {
    if (keys && Date.now() - fetchedAt < REFRESH_MS) return keys;
    inflight ??= refresh().finally(() => (inflight = undefined));
    try {
      return await inflight;
    } catch (err) {
      if (keys) return keys;
      throw err;
    }
  };
}
