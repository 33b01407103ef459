import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { tokenFor } from "../gateway/auth/testing-auth.ts";
import { insertBooking } from "../gateway/testing.ts";
import { createEnvelope, envelopeHeaders } from "../shared/events/envelope.ts";
import { TOPICS } from "../shared/events/topics.ts";
import { pointInDisc, seededRandom } from "../shared/geo/contract/seeded-random.ts";
import { deadLetterRecord } from "../workers/runtime/dead-letter.ts";
import { apiClient } from "./support/api-client.ts";
import { type EmbeddedSystem, startEmbeddedSystem } from "./support/embedded-system.ts";
import { until } from "./support/until.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; a browser and real workers take their time.
setDefaultTimeout(90_000);

/*
 * The operator console in a real headless Chromium (Debian's package, driven by
 * playwright-core) against a seeded system: drivers available, busy and suspect around
 * Bengaluru's hubs, bursts of fixes for the charts, a dead letter. The page must ask for the token,
 * then draw the drivers and every worker group's lag. With UPDATE_CONSOLE_SCREENSHOT=1
 * it also writes the README's screenshot (docs/console.png).
 */

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = resolve(import.meta.dir, "../docs/console.png");
const DRIVERS = 120;
const SUSPECT = new Set([7, 31, 77]);
/** Where drivers gather in Bengaluru: MG Road, Koramangala, Indiranagar, Whitefield, Hebbal, Jayanagar, Electronic City, Yeshwanthpur. */
const HUBS = [
  [12.975, 77.606],
  [12.9352, 77.6245],
  [12.9784, 77.6408],
  [12.9698, 77.75],
  [13.0358, 77.597],
  [12.925, 77.5938],
  [12.8452, 77.6602],
  [13.028, 77.54],
] as const;
const rng = seededRandom(15);
const places = Array.from({ length: DRIVERS }, (_, i) => {
  const [lat, lng] = HUBS[i % HUBS.length]!;
  return pointInDisc(rng, lat, lng, 2_500);
});
const idOf = (i: number) => `drv-${String(i).padStart(3, "0")}`;

/** The charts' clock: samples 30 s apart over the last ten minutes, so the screenshot shows minutes, not the seconds this test takes. */
let flowTime = Date.now() - 10 * 60_000;

let sys: EmbeddedSystem;
let server: ReturnType<typeof Bun.serve>;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (bash .ci/run installs it)`);
  sys = await startEmbeddedSystem({}, { flowClock: () => flowTime });
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: sys.app.fetch });
  profile = mkdtempSync(join(tmpdir(), "fleet-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 1440, height: 1000 },
    deviceScaleFactor: 1,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop(true);
  await sys?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const driverApi = (i: number) => apiClient(sys.app, { role: "driver", sub: idOf(i) });
const report = (i: number, fixes: { lat: number; lng: number; recordedAt: string; accuracy?: number }[]) =>
  driverApi(i).POST("/v1/drivers/{driverId}/locations", { params: { path: { driverId: idOf(i) } }, body: { fixes } });

/** Drivers through the real API: a third busy, a few whose newest fix is implausible (suspect). */
async function seedDrivers(): Promise<{ available: number; busy: number; suspect: number }> {
  const counts = { available: 0, busy: 0, suspect: 0 };
  for (let i = 0; i < DRIVERS; i++) {
    const status = i % 3 === 0 ? "busy" : "available";
    await driverApi(i).PUT("/v1/drivers/{driverId}/status", {
      params: { path: { driverId: idOf(i) } },
      body: { status, vehicleType: i % 4 ? "sedan" : "auto" },
    });
    // A suspect driver stays where it last plausibly was: a plausible fix, then a newer one whose accuracy is implausible.
    const t = Date.now();
    const fixes = [
      { ...places[i]!, recordedAt: new Date(t - 1000).toISOString() },
      ...(SUSPECT.has(i) ? [{ ...places[i]!, recordedAt: new Date(t).toISOString(), accuracy: 5_000 }] : []),
    ];
    expect((await report(i, fixes)).response.status).toBe(202);
    if (SUSPECT.has(i)) counts.suspect++;
    else counts[status]++;
  }
  return counts;
}

/** Twenty samples with bursts of fixes between them, some sampled before the workers caught up (lag). */
async function seedFlow(): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const burst = 10 + Math.round(25 * (1 + Math.sin(round / 3)));
    const sent = [];
    for (let k = 0; k < burst; k++) {
      const i = (round * 7 + k) % DRIVERS;
      if (!SUSPECT.has(i)) sent.push(report(i, [{ ...places[i]!, recordedAt: new Date().toISOString() }]));
    }
    await Promise.all(sent);
    await sys.flow.sample();
    flowTime += 30_000;
  }
}

test("the console asks for an operator token, then shows the drivers on the map, every worker group's lag and a stuck trip", async () => {
  const want = await seedDrivers();
  const operator = apiClient(sys.app, { role: "operator", sub: "ops-console" });
  await until(
    async () => (await operator.GET("/v1/operator/drivers", { params: { query: { limit: 1000 } } })).data?.drivers ?? [],
    (ds) => ds.filter((d) => d.lat !== null).length === DRIVERS && ds.filter((d) => d.suspect).length === want.suspect,
    "every seeded driver to be indexed",
  );
  await seedFlow();
  const envelope = createEnvelope({ type: "booking.requested", key: "bk-broken", data: {}, source: "console-test", correlationId: "c" });
  const original = {
    topic: TOPICS.bookings,
    partition: 2,
    offset: 41,
    key: "bk-broken",
    value: JSON.stringify(envelope),
    headers: envelopeHeaders(envelope),
    timestamp: Date.now(),
  };
  await sys.log
    .publisher()
    .publish([
      deadLetterRecord(original, { error: new Error("booking row locked"), attempts: 5, group: "fleet-booking", failedAt: new Date() }),
    ]);

  // Accepted a month ago and unchanged since (no timer of it runs): the stuck trips panel's default view finds it.
  const stuck = await insertBooking(sys.history, { customerId: "cust-stuck", driverId: "drv-stuck" });

  const page = await browser.newPage();
  try {
    await page.goto(`${server.url.origin}/console`);
    await page.locator("#sign-in").waitFor({ state: "visible" });
    await page.fill("#token", "not-a-token");
    await page.click("#sign-in button[type=submit]");
    await expect(page.locator("#sign-in-error").textContent()).resolves.toContain("refused the token");

    await page.fill("#token", tokenFor({ role: "operator", sub: "ops-console" }));
    await page.click("#sign-in button[type=submit]");
    await page.locator("#console").waitFor({ state: "visible" });
    expect(await page.evaluate(() => sessionStorage.getItem("fleetstream.operatorToken"))).toContain(".");

    for (const [state, n] of Object.entries(want))
      await page.locator(`#legend [data-state=${state}] b`, { hasText: new RegExp(`^${n}$`) }).waitFor();
    // The map really has dots in the three colours, not just a legend.
    const pixels = await page.evaluate(() => {
      type Canvas = {
        width: number;
        height: number;
        getContext(kind: "2d"): { getImageData(...a: number[]): { data: Uint8ClampedArray } };
      };
      const canvas = (globalThis as unknown as { document: { getElementById(id: string): Canvas } }).document.getElementById("map");
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      const near = (i: number, rgb: number[]) => rgb.every((c, k) => Math.abs(data[i + k]! - c) < 12);
      const n = { available: 0, busy: 0, suspect: 0 };
      for (let i = 0; i < data.length; i += 4) {
        if (near(i, [63, 191, 111])) n.available++;
        if (near(i, [240, 169, 59])) n.busy++;
        if (near(i, [239, 91, 91])) n.suspect++;
      }
      return n;
    });
    expect(pixels.available).toBeGreaterThan(100);
    expect(pixels.busy).toBeGreaterThan(100);
    expect(pixels.suspect).toBeGreaterThan(10);

    for (const group of ["fleet-location", "fleet-status", "fleet-booking", "fleet-audit", "fleet-notify", "fleet-order"])
      await page.locator("#lag .u-legend", { hasText: group }).waitFor();
    await page.locator("#rates .u-legend", { hasText: "driver.locations" }).waitFor();
    await page.locator("#dead-letters td[data-count=bookings]", { hasText: /^1$/ }).waitFor();
    await page.click("#dead-letters button[data-topic=bookings]");
    await page.locator("#dlq-detail", { hasText: "booking row locked" }).waitFor();
    await page.locator("#stuck-trips tr", { hasText: stuck }).filter({ hasText: "drv-stuck" }).waitFor();

    await page.screenshot({ path: process.env.UPDATE_CONSOLE_SCREENSHOT ? SCREENSHOT : join(profile, "console.png"), fullPage: true });
  } finally {
    await page.close();
  }
});
