import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { freePorts } from "../../redpanda/launcher/free-ports.ts";
import { readSse } from "../../tests/support/read-sse.ts";
import { processesWhere } from "../../tools/process-scan.ts";
import { asCustomer, asDriver } from "../auth/testing-auth.ts";

setDefaultTimeout(60_000);

/** The finished trip serve-portable.ts seeds for customer c-deno. */
const SEEDED_BOOKING = "5f0c3c55-55d4-4c3e-9a51-3b1f1b7f0d11";
const entry = fileURLToPath(new URL("./serve-portable.ts", import.meta.url));
/**
 * The real `deno` executable, not the npm package's bin (a Node script that spawns it): a
 * signal to the wrapper does not reach the binary, which kept serving after the suite.
 * The package's own installer API says where its binary is, for any platform.
 */
const deno = (createRequire(import.meta.url)("deno/install_api.cjs") as { runInstall(): string }).runInstall();

/** Pids of live `deno` processes serving this port (the binary's argv: deno serve … --port N …). */
function denoServingOn(port: number): number[] {
  return processesWhere((argv) => basename(argv[0]!) === "deno" && argv.includes("serve") && argv.includes(String(port))).map((p) => p.pid);
}

const freePort = async () => (await freePorts(1))[0]!;

/** The same createApp served by Deno (the `deno` npm package's binary): the portability promise of docs/architecture.md, processes. */
describe("the gateway app on Deno", () => {
  let proc: ReturnType<typeof Bun.spawn>;
  let base: string;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    proc = Bun.spawn([deno, "serve", "--quiet", "-A", "--port", String(port), "--host", "127.0.0.1", entry], {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
    });
    const deadline = Date.now() + 45_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        if (proc.exitCode !== null)
          throw new Error(`deno exited ${proc.exitCode}: ${await new Response(proc.stderr as ReadableStream).text()}`);
        if (Date.now() > deadline) throw new Error("deno serve did not answer in 45 s");
        await Bun.sleep(200);
      }
    }
  });
  afterAll(async () => {
    proc?.kill();
    await proc?.exited;
  });

  test("the process the test starts, and so stops, is the deno binary itself", () => {
    expect(basename(readlinkSync(`/proc/${proc.pid}/exe`))).toBe("deno");
  });

  test("accepts fixes with 202 and publishes one record keyed by the driver", async () => {
    const res = await fetch(`${base}/v1/drivers/d-deno/locations`, {
      method: "POST",
      headers: { "content-type": "application/json", ...asDriver("d-deno") },
      body: JSON.stringify({ fixes: [{ lat: 52.5, lng: 13.4, recordedAt: new Date().toISOString() }] }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    expect(await (await fetch(`${base}/__published`)).json()).toEqual([{ topic: "driver.locations", key: "d-deno" }]);
  });

  test("refuses a request without a token: 401 problem+json", async () => {
    const res = await fetch(`${base}/v1/drivers/d-deno/locations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("refuses bad input with problem+json naming the field", async () => {
    const res = await fetch(`${base}/v1/drivers/d-deno/locations`, {
      method: "POST",
      headers: { "content-type": "application/json", ...asDriver("d-deno") },
      body: JSON.stringify({ fixes: [{ lat: 91, lng: 13.4, recordedAt: new Date().toISOString() }] }),
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("fixes.0.lat");
  });

  test("finds the seeded driver nearby", async () => {
    const body = (await (
      await fetch(`${base}/v1/drivers/nearby?lat=52.52&lng=13.4&vehicleType=sedan`, { headers: asCustomer("c-deno") })
    ).json()) as { drivers: { driverId: string; distanceM: number }[] };
    expect(body.drivers.map((d) => d.driverId)).toEqual(["seeded"]);
    expect(body.drivers[0]!.distanceM).toBeGreaterThan(300);
  });

  test("streams a trip over SSE to its customer, resumes after Last-Event-ID and ends after the final status", async () => {
    const url = `${base}/v1/bookings/${SEEDED_BOOKING}/stream`;
    const res = await fetch(url, { headers: asCustomer("c-deno") });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const all = await readSse(res, { enough: (r) => r.ended });
    expect(all.events.map((e) => e.event)).toEqual(["status", "status", "location", "status"]);
    const rest = await readSse(await fetch(url, { headers: { ...asCustomer("c-deno"), "last-event-id": all.events[1]!.id! } }), {
      enough: (r) => r.ended,
    });
    expect(rest.events.map((e) => e.id)).toEqual(all.events.slice(2).map((e) => e.id));
    expect((await fetch(url, { headers: { ...asCustomer("c-deno"), "last-event-id": all.events[3]!.id! } })).status).toBe(204);
    expect((await fetch(url, { headers: asCustomer("someone-else") })).status).toBe(404);
  });
});

test("stopping the Deno gateway leaves no deno process behind", async () => {
  const port = await freePort();
  const proc = Bun.spawn([deno, "serve", "--quiet", "-A", "--port", String(port), "--host", "127.0.0.1", entry], {
    stdout: "ignore",
    stderr: "ignore",
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
  });
  const deadline = Date.now() + 45_000;
  while (denoServingOn(port).length === 0 && Date.now() < deadline) await Bun.sleep(100);
  expect(denoServingOn(port).length).toBeGreaterThan(0);
  proc.kill();
  await proc.exited;
  expect(denoServingOn(port)).toEqual([]);
});
