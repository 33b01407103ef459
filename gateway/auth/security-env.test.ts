import { describe, expect, test } from "bun:test";
import { ConfigError, parseConfig } from "../../shared/config/parse-config.ts";
import { GatewayConfigSchema } from "../config.ts";
import { authSettingsFrom } from "./security-env.ts";

const SECRET = "s".repeat(32);

describe("security settings from the environment", () => {
  test("defaults: no key (main.ts then refuses to start), no CORS, 60/30 requests per 10 s", () => {
    const c = parseConfig(GatewayConfigSchema, {});
    expect(authSettingsFrom(c)).toBeUndefined();
    expect(c).toMatchObject({
      CORS_ORIGINS: [],
      RATE_LIMIT_DRIVER: 60,
      RATE_LIMIT_CUSTOMER: 30,
      RATE_LIMIT_WINDOW_S: 10,
      JWT_ISSUER: "fleetstream",
      JWT_AUDIENCE: "fleetstream-gateway",
    });
  });

  test("a secret, a public key or a JWKS URL becomes the matching pinned key", () => {
    expect(authSettingsFrom(parseConfig(GatewayConfigSchema, { JWT_SECRET: SECRET, JWT_AUDIENCE: "api" }))).toEqual({
      key: { kind: "secret", secret: SECRET },
      issuer: "fleetstream",
      audience: "api",
    });
    const pem = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----";
    expect(authSettingsFrom(parseConfig(GatewayConfigSchema, { JWT_PUBLIC_KEY: pem }))?.key).toEqual({ kind: "public-key", pem });
    expect(authSettingsFrom(parseConfig(GatewayConfigSchema, { JWT_JWKS_URL: "https://id.example.com/jwks.json" }))?.key).toEqual({
      kind: "jwks",
      url: "https://id.example.com/jwks.json",
    });
  });

  test("two keys at once, a short secret, a private key or an origin with a path are refused, naming the variable", () => {
    expect(() =>
      authSettingsFrom(parseConfig(GatewayConfigSchema, { JWT_SECRET: SECRET, JWT_JWKS_URL: "https://id.example.com/jwks.json" })),
    ).toThrow(ConfigError);
    for (const [name, value] of [
      ["JWT_SECRET", "short"],
      ["JWT_PUBLIC_KEY", "-----BEGIN PRIVATE KEY-----"],
      ["CORS_ORIGINS", "https://a.example.com/app"],
      ["RATE_LIMIT_DRIVER", "0"],
    ]) {
      expect(() => parseConfig(GatewayConfigSchema, { [name!]: value })).toThrow(name);
    }
  });

  test("CORS_ORIGINS is a comma-separated list", () => {
    expect(parseConfig(GatewayConfigSchema, { CORS_ORIGINS: "https://a.example.com, http://localhost:5173" }).CORS_ORIGINS).toEqual([
      "https://a.example.com",
      "http://localhost:5173",
    ]);
  });
});
