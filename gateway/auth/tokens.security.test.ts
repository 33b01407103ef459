import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sign } from "hono/jwt";
import { bearer, gatewayOverEmbeddedLog, TEST_AUTH, tokenFor } from "../testing.ts";
import { type AuthSettings, DEFAULT_AUDIENCE, DEFAULT_ISSUER } from "./auth-settings.ts";
import { mintToken } from "./mint-token.ts";
import { TEST_JWT_SECRET } from "./testing-auth.ts";

/*
 * Which tokens get in. Each case calls GET /v1/drivers/drv-1 as drv-1: an accepted token
 * reaches the route (404, no such driver yet), a refused one stops at 401.
 */

const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const claims = (over: Record<string, unknown> = {}) => ({
  role: "driver",
  sub: "drv-1",
  iss: DEFAULT_ISSUER,
  aud: DEFAULT_AUDIENCE,
  exp: Math.floor(Date.now() / 1000) + 600,
  ...over,
});
const hs256 = (payload: object, secret = TEST_JWT_SECRET) => sign(payload as never, secret, "HS256");

type Gateway = Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
const statusWith = async (gw: Gateway, token: string) => (await gw.app.request("/v1/drivers/drv-1", { headers: bearer(token) })).status;

describe("HS256 tokens (shared secret)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog({ auth: TEST_AUTH });
  });
  afterAll(() => gw.close());

  test("a valid token is accepted", async () => {
    expect(await statusWith(gw, tokenFor({ role: "driver", sub: "drv-1" }))).toBe(404);
  });

  const refused: [string, () => Promise<string> | string][] = [
    [
      "expired",
      () =>
        mintToken(
          { role: "driver", sub: "drv-1" },
          { secret: TEST_JWT_SECRET, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE, ttlS: -1 },
        ),
    ],
    ["for another audience", () => hs256(claims({ aud: "another-api" }))],
    ["from another issuer", () => hs256(claims({ iss: "someone-else" }))],
    ["without an audience", () => hs256(claims({ aud: undefined }))],
    ["without exp (never expiring)", () => hs256(claims({ exp: undefined }))],
    ["not valid yet (nbf in the future)", () => hs256(claims({ nbf: Math.floor(Date.now() / 1000) + 600 }))],
    ["with an unknown role", () => hs256(claims({ role: "admin" }))],
    ["with a sub that is no driver id", () => hs256(claims({ sub: "drv 1/../x" }))],
    ["signed with another secret", () => hs256(claims(), "another-secret-of-enough-length-0123456789")],
    ["alg none, unsigned", () => `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims())}.`],
    ["HS512 (another algorithm than the pinned one)", () => sign(claims() as never, TEST_JWT_SECRET, "HS512")],
    [
      "tampered (role raised to operator, signature kept)",
      () => {
        const [h, , s] = tokenFor({ role: "driver", sub: "drv-1" }).split(".");
        return `${h}.${b64url(claims({ role: "operator" }))}.${s}`;
      },
    ],
    ["garbage", () => "not-a-token"],
  ];
  for (const [name, token] of refused) {
    test(`a token ${name} → 401`, async () => {
      expect(await statusWith(gw, await token())).toBe(401);
    });
  }

  test("a token accepted before is still refused once it expires, and a one-byte change of it is verified afresh", async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const token = await hs256(claims({ exp: nowS + 2 }));
    expect(await statusWith(gw, token)).toBe(404);
    expect(await statusWith(gw, token)).toBe(404);
    const [h, p, sig] = token.split(".");
    // A character inside the signature (the last one carries padding bits).
    const flipped = `${h}.${p}.${sig!.slice(0, 10)}${sig![10] === "A" ? "B" : "A"}${sig!.slice(11)}`;
    expect(await statusWith(gw, flipped)).toBe(401);
    await Bun.sleep((nowS + 2) * 1000 - Date.now() + 50);
    expect(await statusWith(gw, token)).toBe(401);
  });

  test("a scheme other than Bearer → 401", async () => {
    const res = await gw.app.request("/v1/drivers/drv-1", { headers: { authorization: `Basic ${btoa("drv-1:x")}` } });
    expect(res.status).toBe(401);
  });

  test("the 401 says nothing about the token beyond the challenge", async () => {
    const token = mintToken(
      { role: "driver", sub: "drv-1" },
      { secret: TEST_JWT_SECRET, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE, ttlS: -1 },
    );
    const text = await (await gw.app.request("/v1/drivers/drv-1", { headers: bearer(token) })).text();
    expect(text).not.toContain(token.split(".")[1]!);
    expect(text).not.toContain("expired");
  });
});

describe("RS256 tokens (public key, JWKS)", async () => {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const spki = Buffer.from(await crypto.subtle.exportKey("spki", pair.publicKey)).toString("base64");
  const pem = `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`;
  const privateJwk = { ...(await crypto.subtle.exportKey("jwk", pair.privateKey)), kid: "k1", alg: "RS256" };
  const publicJwk = { ...(await crypto.subtle.exportKey("jwk", pair.publicKey)), kid: "k1", alg: "RS256" };
  const rs256 = (payload: object) => sign(payload as never, privateJwk as never, "RS256");
  const jwks = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json({ keys: [publicJwk] }) });

  const settings = (key: AuthSettings["key"]): AuthSettings => ({ key, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE });
  let byKey: Gateway;
  let byJwks: Gateway;
  beforeAll(async () => {
    byKey = await gatewayOverEmbeddedLog({ auth: settings({ kind: "public-key", pem }) });
    byJwks = await gatewayOverEmbeddedLog({ auth: settings({ kind: "jwks", url: `${jwks.url.href}jwks.json` }) });
  });
  afterAll(async () => {
    await byKey.close();
    await byJwks.close();
    await jwks.stop(true);
  });

  test("a token signed with the private key is accepted, by public key and by JWKS", async () => {
    expect(await statusWith(byKey, await rs256(claims()))).toBe(404);
    expect(await statusWith(byJwks, await rs256(claims()))).toBe(404);
  });

  test("HS256 signed with the public key's text (algorithm confusion) → 401", async () => {
    expect(await statusWith(byKey, await hs256(claims(), pem))).toBe(401);
    expect(await statusWith(byJwks, await hs256(claims(), pem))).toBe(401);
  });

  test("expired, wrong audience, alg none and tampered RS256 tokens → 401", async () => {
    const good = await rs256(claims());
    const [h, , s] = good.split(".");
    for (const token of [
      await rs256(claims({ exp: Math.floor(Date.now() / 1000) - 1 })),
      await rs256(claims({ aud: "another-api" })),
      `${b64url({ alg: "none", typ: "JWT", kid: "k1" })}.${b64url(claims())}.`,
      `${h}.${b64url(claims({ sub: "drv-2" }))}.${s}`,
    ]) {
      expect(await statusWith(byKey, token)).toBe(401);
      expect(await statusWith(byJwks, token)).toBe(401);
    }
  });
});
