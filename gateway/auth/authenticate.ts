import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { jwk } from "hono/jwk";
import { jwt } from "hono/jwt";
import * as v from "valibot";
import type { AuthSettings } from "./auth-settings.ts";
import { jwksCache } from "./jwks-cache.ts";
import { ClaimsSchema } from "./principal.ts";
import { bearerToken, verifiedTokens } from "./verified-tokens.ts";

const encoder = new TextEncoder();

/** The key imported once: hono would otherwise import it from text on every request. */
function importOnce(settings: AuthSettings): Promise<CryptoKey> | undefined {
  const { key } = settings;
  if (key.kind === "secret")
    return crypto.subtle.importKey("raw", encoder.encode(key.secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  if (key.kind === "public-key") {
    const der = Uint8Array.from(atob(key.pem.replace(/-----[^-]+-----/g, "").replace(/\s/g, "")), (ch) => ch.charCodeAt(0));
    return crypto.subtle.importKey("spki", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
  }
  return undefined;
}

/** hono/jwt (a secret or a public key) or hono/jwk (a JWKS), each with the algorithm pinned. */
function verifier(settings: AuthSettings): MiddlewareHandler {
  const verification = { iss: settings.issuer, aud: settings.audience };
  const { key } = settings;
  if (key.kind === "jwks") return jwk({ keys: jwksCache(key.url), alg: ["RS256"], verification });
  const imported = importOnce(settings)!;
  const alg = key.kind === "secret" ? "HS256" : "RS256";
  let middleware: MiddlewareHandler | undefined;
  return async (c, next) => (middleware ??= jwt({ secret: await imported, alg, verification }))(c, next);
}

/** Verified tokens remembered per gateway process (verified-tokens.ts): ~1 KB each. */
const REMEMBERED_TOKENS = 50_000;

/**
 * Verifies the bearer token and sets the caller's `principal` (role + sub) for the
 * routes. Any flaw — no token, bad signature, another algorithm (`none` included),
 * wrong iss/aud, expired, no `exp`, unknown role — is a 401; the reason goes no further
 * than the WWW-Authenticate header hono writes. A token verified before is only checked
 * for expiry (verified-tokens.ts).
 */
export function authenticate(settings: AuthSettings): MiddlewareHandler {
  const verify = verifier(settings);
  const verified = verifiedTokens(REMEMBERED_TOKENS);
  return async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    const known = token === undefined ? undefined : verified.get(token, Date.now() / 1000);
    if (known) {
      c.set("jwtPayload", known.payload);
      c.set("principal", known.principal);
      return next();
    }
    return verify(c, async () => {
      const payload: unknown = c.get("jwtPayload");
      const claims = v.safeParse(ClaimsSchema, payload);
      if (!claims.success) {
        const res = new Response("Unauthorized", {
          status: 401,
          headers: { "www-authenticate": 'Bearer error="invalid_token",error_description="token claims are invalid"' },
        });
        throw new HTTPException(401, { message: "Unauthorized", res });
      }
      const principal = { role: claims.output.role, sub: claims.output.sub };
      if (token !== undefined) verified.set(token, { principal, payload, exp: claims.output.exp });
      c.set("principal", principal);
      await next();
    });
  };
}
