import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { DevConfigSchema, GatewayConfigSchema } from "../gateway/config.ts";
import { parseConfig } from "../shared/config/parse-config.ts";
import { until } from "./support/until.ts";

/*
 * Issue 10, item 2: `bun run dev` listens on loopback unless HOST says otherwise, so a
 * laptop on café Wi-Fi does not serve its dev gateway (and its printed tokens) to the room.
 * The listening socket's address is read from the kernel (/proc/net/tcp*), not from the app.
 */

setDefaultTimeout(90_000);

const dataDir = mkdtempSync(join(tmpdir(), "fleet-dev-listen-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Local addresses (kernel hex) of the sockets listening on `port`, IPv4 and IPv6. */
function listeningOn(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((f) =>
    readFileSync(f, "utf8")
      .split("\n")
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A")
      .map((cols) => cols[1]!.split(":")[0]!),
  );
}

test("HOST: loopback by default for dev, every interface for the gateway; a malformed one names HOST", () => {
  expect(parseConfig(DevConfigSchema, {}).HOST).toBe("127.0.0.1");
  expect(parseConfig(GatewayConfigSchema, {}).HOST).toBe("0.0.0.0");
  expect(parseConfig(DevConfigSchema, { HOST: "::1" }).HOST).toBe("::1");
  expect(() => parseConfig(GatewayConfigSchema, { HOST: "not a host!" })).toThrow("HOST");
  expect(v.safeParse(DevConfigSchema, { HOST: "" }).success).toBe(false);
});

test("`bun run dev` with no HOST listens on 127.0.0.1 only", async () => {
  const port = await freePort();
  const proc = Bun.spawn(["bun", "dev.ts"], {
    cwd: join(import.meta.dir, ".."),
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, KAFKA_BROKERS: "", REDIS_URL: "", LIBSQL_URL: "", LOG_LEVEL: "error" },
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    const addresses = await until(
      () => listeningOn(port),
      (a) => a.length > 0 || proc.exitCode !== null,
      `dev listening on ${port}`,
      60_000,
    );
    expect(proc.exitCode).toBeNull();
    // 0100007F is 127.0.0.1 in the kernel's byte order; 00000000 would be every interface.
    expect(addresses).toEqual(["0100007F"]);
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
});
