import * as v from "valibot";
import { url, wholeNumber } from "../../shared/config/env-schema.ts";
import { ConfigError } from "../../shared/config/parse-config.ts";
import { type AuthSettings, DEFAULT_AUDIENCE, DEFAULT_ISSUER } from "./auth-settings.ts";

/**
 * The gateway's security settings, spread into its config schema. At most one key: a
 * shared HS256 secret, an RS256 public key (PEM, SPKI), or a JWKS URL. None is allowed
 * here so that `bun run dev` can generate a secret; gateway/main.ts refuses to start
 * without one.
 */
export const securityEnv = {
  /** HS256 secret; at least 32 characters (256 bits of a random hex or base64 string). */
  JWT_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, "must be at least 32 characters"))),
  JWT_PUBLIC_KEY: v.optional(
    v.pipe(v.string(), v.includes("-----BEGIN PUBLIC KEY-----", "must be a PEM public key (SPKI, -----BEGIN PUBLIC KEY-----)")),
  ),
  JWT_JWKS_URL: url("https://", "http://"),
  JWT_ISSUER: v.optional(v.pipe(v.string(), v.minLength(1)), DEFAULT_ISSUER),
  JWT_AUDIENCE: v.optional(v.pipe(v.string(), v.minLength(1)), DEFAULT_AUDIENCE),
  /** Comma-separated origins allowed to call from a browser; unset → no CORS headers (same origin only). */
  CORS_ORIGINS: v.optional(
    v.pipe(
      v.string(),
      v.transform((s) =>
        s
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      ),
      v.everyItem((o) => /^https?:\/\/[^/\s]+$/.test(o), "each origin must be scheme://host[:port] with no path"),
    ),
    "",
  ),
  /** Requests per window for each driver: fixes every few seconds plus status and booking actions, with room for retries. */
  RATE_LIMIT_DRIVER: wholeNumber(60, 1, "requests"),
  /** Requests per window for each customer: bookings, orders and polling their status. */
  RATE_LIMIT_CUSTOMER: wholeNumber(30, 1, "requests"),
  RATE_LIMIT_WINDOW_S: wholeNumber(10, 1, "seconds"),
};

export interface SecurityConfig {
  JWT_SECRET?: string;
  JWT_PUBLIC_KEY?: string;
  JWT_JWKS_URL?: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}

/** The verification settings the environment names; undefined when it names no key; an error when it names more than one. */
export function authSettingsFrom(c: SecurityConfig): AuthSettings | undefined {
  const keys = [
    c.JWT_SECRET && ({ kind: "secret", secret: c.JWT_SECRET } as const),
    c.JWT_PUBLIC_KEY && ({ kind: "public-key", pem: c.JWT_PUBLIC_KEY } as const),
    c.JWT_JWKS_URL && ({ kind: "jwks", url: c.JWT_JWKS_URL } as const),
  ].filter((k) => !!k);
  if (keys.length > 1) throw new ConfigError("set only one of JWT_SECRET, JWT_PUBLIC_KEY and JWT_JWKS_URL");
  return keys[0] && { key: keys[0], issuer: c.JWT_ISSUER, audience: c.JWT_AUDIENCE };
}
