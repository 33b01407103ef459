import type { Principal } from "./principal.ts";

export interface VerifiedToken {
  principal: Principal;
  payload: unknown;
  /** The token's `exp`, seconds since epoch. */
  exp: number;
}

/**
 * Tokens this gateway verified, by their exact text. Why: a driver app sends the same
 * token with every upload for hours, and verifying its signature was a third of the
 * gateway's CPU per request. The same bytes verify the same way, so only `exp` needs
 * checking again; a token that differs in any byte (tampered, re-signed) is a miss and
 * is verified in full. Bounded: past `max` entries the oldest are forgotten.
 */
export function verifiedTokens(max: number): {
  get(token: string, nowS: number): VerifiedToken | undefined;
  set(token: string, v: VerifiedToken): void;
} {
  const entries = new Map<string, VerifiedToken>();
  return {
    get(token, nowS) {
      const hit = entries.get(token);
      if (!hit) return undefined;
      if (hit.exp <= nowS) {
        entries.delete(token);
        return undefined;
      }
      return hit;
    },
    set(token, v) {
      if (entries.size >= max) entries.delete(entries.keys().next().value!);
      entries.set(token, v);
    },
  };
}

/** The token of an `Authorization: Bearer <token>` header, as hono/jwt reads it; undefined otherwise. */
export function bearerToken(header: string | undefined): string | undefined {
  const parts = header?.split(/\s+/);
  return parts?.length === 2 && parts[0]!.toLowerCase() === "bearer" ? parts[1] : undefined;
}
