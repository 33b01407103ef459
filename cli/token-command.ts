import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEV_SECRET_FILE } from "../gateway/auth/dev-credentials.ts";
import { mintToken } from "../gateway/auth/mint-token.ts";
import { ROLES, type Role } from "../gateway/auth/principal.ts";
import { parseCommandArgs, parseCount, UsageError } from "./usage.ts";

export const TOKEN_USAGE = "fleet token <driver|customer|operator> <id> [--ttl SECONDS]";
export const TOKEN_SUMMARY = "print an HS256 token for a caller, signed with JWT_SECRET or `bun run dev`'s secret in DATA_DIR";

const DEFAULT_TTL_S = 24 * 3600;

export interface TokenSettings {
  DATA_DIR: string;
  JWT_SECRET?: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}

/**
 * `fleet token`: a token for development and support, needing no broker. Only for a
 * gateway on a shared secret; with RS256 keys, tokens come from the identity provider.
 */
export function tokenCommand(args: string[], s: TokenSettings): string {
  const { values, positionals } = parseCommandArgs(args, { ttl: { type: "string" } }, TOKEN_USAGE);
  const [role, sub, extra] = positionals;
  if (!role || !sub || extra !== undefined) throw new UsageError("expected a role and an id", TOKEN_USAGE);
  if (!(ROLES as readonly string[]).includes(role))
    throw new UsageError(`role must be one of ${ROLES.join(", ")}, got "${role}"`, TOKEN_USAGE);
  const devSecret = join(s.DATA_DIR, DEV_SECRET_FILE);
  const secret = s.JWT_SECRET ?? (existsSync(devSecret) ? readFileSync(devSecret, "utf8").trim() : undefined);
  if (!secret) throw new Error(`no JWT_SECRET and no ${devSecret}: set JWT_SECRET, or run \`bun run dev\` once to generate a dev secret`);
  const ttlS = parseCount(values.ttl, "--ttl", TOKEN_USAGE) ?? DEFAULT_TTL_S;
  return mintToken({ role: role as Role, sub }, { secret, issuer: s.JWT_ISSUER, audience: s.JWT_AUDIENCE, ttlS });
}
