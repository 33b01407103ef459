import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { SurgeQuote } from "../gateway/pricing/surge-quote.ts";
import { estimateFare } from "../shared/booking/fare.ts";
import { cellCircle, surgeZoneOf } from "../shared/surge/surge-formula.ts";
import { type BookingEnv, type Mode, north, openBookingEnv, seedDrivers, until } from "./bookings-env.ts";
import { asCustomerClient, asOperatorClient, bookingDetails } from "./support/api-client.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; these wait for the surge worker's ticks.
setDefaultTimeout(90_000);

/** Nobody accepts here: offers stand long enough that the drivers stay available (supply) throughout. */
const WAVES = { radiiM: [1_000], batchSize: 10, offerTtlMs: 60_000 };
/** A short window and quick smoothing, so demand leaves and the price settles within a test. */
const SURGE = { windowMs: 4_000, floor: 1, cap: 2.5, smoothingMs: 500 };

function runSurge(mode: Mode): void {
  describe(`surge by zone end to end: ${mode}`, () => {
    let env: BookingEnv;
    beforeAll(async () => {
      env = await openBookingEnv(mode, WAVES, { surge: { settings: SURGE, tickMs: 200 } });
    });
    afterAll(() => env?.close());

    const run = crypto.randomUUID().slice(0, 8);
    // The centre of a surge cell: drivers a few hundred metres away are surely in the same cell.
    const home = cellCircle(surgeZoneOf(19.076, 72.8777, "sedan").cell);
    // A 503 (the surge store did not answer in time, as on a busy machine) is retried, as a client honouring Retry-After would.
    const quote = async (): Promise<SurgeQuote> => {
      for (;;) {
        const res = await asCustomerClient(env.app, "c").GET("/v1/surge", {
          params: { query: { lat: home.lat, lng: home.lng, vehicleType: "sedan" } },
        });
        if (res.response.status !== 503) {
          expect(res.response.status).toBe(200);
          return res.data!;
        }
      }
    };
    const book = async (customerId: string) => {
      const res = await asCustomerClient(env.app, customerId).POST("/v1/bookings", {
        params: { header: { "Idempotency-Key": `k-${customerId}` } },
        body: { pickup: { lat: home.lat, lng: home.lng }, dropoff: north(home, 5_000), vehicleType: "sedan" },
      });
      expect(res.response.status).toBe(202);
      return res.data!;
    };

    test("surge rises when bookings outnumber drivers in a cell, prices the next booking, and falls back once demand leaves the window", async () => {
      const quiet = await quote();
      expect(quiet).toMatchObject({ multiplier: 1, demand: 0, resolution: 7, vehicleType: "sedan" });

      // Two free drivers, eight bookings: pressure 4, target 1 + 3/2 = 2.5 (the cap).
      await seedDrivers(env.geo, [
        { id: `s1-${run}`, at: north(home, 100) },
        { id: `s2-${run}`, at: north(home, 200) },
      ]);
      for (let i = 0; i < 8; i++) await book(`surge-${run}-${i}`);
      const busy = await until(quote, (q) => q.demand === 8 && q.multiplier >= 2, "surge to rise", 30_000);
      expect(busy).toMatchObject({ supply: 2, windowS: 4 });
      expect(busy.multiplier).toBeLessThanOrEqual(SURGE.cap);
      // Keep the drivers fresh while the test goes on: stale drivers are not supply.
      await seedDrivers(env.geo, [
        { id: `s1-${run}`, at: north(home, 100) },
        { id: `s2-${run}`, at: north(home, 200) },
      ]);

      const next = await book(`surge-${run}-late`);
      expect(next.surge).toBeGreaterThan(1);
      const plain = estimateFare({ pickup: { lat: home.lat, lng: home.lng }, dropoff: north(home, 5_000), vehicleType: "sedan" });
      expect(next.fareEstimate.amount).toBeCloseTo(plain.amount * next.surge, 1);
      const stored = await until(
        async () =>
          bookingDetails(
            (await asOperatorClient(env.app).GET("/v1/bookings/{bookingId}", { params: { path: { bookingId: next.bookingId } } })).data,
          ),
        (b) => b?.bookingId === next.bookingId,
        "the surged booking to be recorded",
      );
      expect(stored!.surge).toBe(next.surge);

      const calm = await until(quote, (q) => q.demand === 0 && q.multiplier === 1, "surge to fall back", 60_000);
      expect(calm.updatedAt).not.toBeNull();
      console.log(
        `surge (${mode}): 8 bookings vs 2 drivers → ×${busy.multiplier}; next booking quoted ×${next.surge}; back to ×1 after the window`,
      );
    });
  });
}

runSurge("embedded log + embedded geo");
runSurge("Kafka + Redis");
