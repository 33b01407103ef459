import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mintToken } from "./mint-token.ts";

/*
 * `bun run dev` without JWT_SECRET: a secret generated once into DATA_DIR (kept, so
 * tokens survive restarts) and ready-to-use tokens for sample callers in
 * DATA_DIR/dev-tokens.json. Never for production: gateway/main.ts refuses to start
 * without a configured key.
 */

export const DEV_SECRET_FILE = "dev-jwt-secret";
export const DEV_TOKENS_FILE = "dev-tokens.json";
const DEV_TOKEN_TTL_S = 30 * 24 * 3600;

export interface DevTokens {
  drivers: { id: string; token: string }[];
  customers: { id: string; token: string }[];
  operator: { id: string; token: string };
}

export function loadOrCreateDevSecret(dataDir: string): string {
  const path = join(dataDir, DEV_SECRET_FILE);
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Tokens for drv-1…drv-5, cust-1 and cust-2 and one operator, written to DATA_DIR/dev-tokens.json. */
export function writeDevTokens(dataDir: string, o: { secret: string; issuer: string; audience: string }): DevTokens {
  const mint = (role: "driver" | "customer" | "operator", sub: string) => mintToken({ role, sub }, { ...o, ttlS: DEV_TOKEN_TTL_S });
  const tokens: DevTokens = {
    drivers: [1, 2, 3, 4, 5].map((n) => ({ id: `drv-${n}`, token: mint("driver", `drv-${n}`) })),
    customers: [1, 2].map((n) => ({ id: `cust-${n}`, token: mint("customer", `cust-${n}`) })),
    operator: { id: "ops-1", token: mint("operator", "ops-1") },
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, DEV_TOKENS_FILE), `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return tokens;
}
