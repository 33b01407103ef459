/*
 * How the gateway verifies tokens. The algorithm is pinned by the kind of key, never
 * read from the token: HS256 for a shared secret, RS256 for a public key or a JWKS.
 */

export const DEFAULT_ISSUER = "fleetstream";
export const DEFAULT_AUDIENCE = "fleetstream-gateway";

export type VerificationKey =
  /** HS256 with a shared secret (dev, or one trusted token issuer that also runs the gateway). */
  | { kind: "secret"; secret: string }
  /** RS256 with the issuer's public key, PEM (SPKI). */
  | { kind: "public-key"; pem: string }
  /** RS256 with the keys an identity provider publishes; tokens must name theirs in `kid`. */
  | { kind: "jwks"; url: string };

export interface AuthSettings {
  key: VerificationKey;
  /** Required `iss` claim. */
  issuer: string;
  /** Required among the `aud` claim's values. */
  audience: string;
}
