import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tokenCommand } from "../../cli/token-command.ts";
import { bearer, gatewayOverEmbeddedLog } from "../testing.ts";
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER } from "./auth-settings.ts";
import { DEV_TOKENS_FILE, type DevTokens, loadOrCreateDevSecret, writeDevTokens } from "./dev-credentials.ts";

describe("dev credentials (bun run dev, fleet token)", () => {
  const dir = mkdtempSync(join(tmpdir(), "fleet-dev-creds-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the dev secret is generated once, private to its owner, and kept across restarts", () => {
    const secret = loadOrCreateDevSecret(dir);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, "dev-jwt-secret")).mode & 0o077).toBe(0);
    expect(loadOrCreateDevSecret(dir)).toBe(secret);
  });

  test("dev-tokens.json holds 5 drivers, 2 customers and an operator, each accepted by a gateway on that secret", async () => {
    const secret = loadOrCreateDevSecret(dir);
    writeDevTokens(dir, { secret, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE });
    const tokens = JSON.parse(readFileSync(join(dir, DEV_TOKENS_FILE), "utf8")) as DevTokens;
    expect(tokens.drivers.map((d) => d.id)).toEqual(["drv-1", "drv-2", "drv-3", "drv-4", "drv-5"]);
    expect(tokens.customers.map((c) => c.id)).toEqual(["cust-1", "cust-2"]);
    const gw = await gatewayOverEmbeddedLog({
      auth: { key: { kind: "secret", secret }, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE },
    });
    try {
      for (const d of tokens.drivers)
        expect((await gw.app.request(`/v1/drivers/${d.id}/trail`, { headers: bearer(d.token) })).status).toBe(200);
      for (const c of tokens.customers)
        expect((await gw.app.request(`/v1/bookings/${crypto.randomUUID()}`, { headers: bearer(c.token) })).status).toBe(404);
      expect((await gw.app.request("/metrics", { headers: bearer(tokens.operator.token) })).status).toBe(200);
      const minted = tokenCommand(["driver", "drv-9"], { DATA_DIR: dir, JWT_ISSUER: DEFAULT_ISSUER, JWT_AUDIENCE: DEFAULT_AUDIENCE });
      expect((await gw.app.request("/v1/drivers/drv-9/trail", { headers: bearer(minted) })).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
