import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import type { Role } from "./principal.ts";

export interface MintOptions {
  secret: string;
  issuer: string;
  audience: string;
  /** Lifetime in seconds; negative mints an already expired token (tests). */
  ttlS: number;
  /** Seconds since the epoch; defaults to now. */
  now?: number;
}

const b64url = (s: string | Buffer) => Buffer.from(s).toString("base64url");

/**
 * An HS256 token the gateway accepts when configured with the same secret, issuer and
 * audience: for `bun run dev`, `bun run fleet token`, tests and benchmarks. Synchronous
 * (node:crypto) so tests can build headers inline; production tokens come from an
 * identity provider, not from here.
 */
export function mintToken(claims: { role: Role; sub: string }, o: MintOptions): string {
  const iat = o.now ?? Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ ...claims, iss: o.issuer, aud: o.audience, iat, exp: iat + o.ttlS }));
  const signature = createHmac("sha256", o.secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
