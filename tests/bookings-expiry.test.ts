import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { BookingDetails } from "../shared/booking/booking-query.ts";
import { bookingTimers } from "../shared/db/schema.ts";
import { type BookingEnv, type Mode, north, openBookingEnv, seedDrivers, until } from "./bookings-env.ts";
import { asCustomerClient } from "./support/api-client.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; these wait for offers to run out.
setDefaultTimeout(60_000);

/** Short offers so waves run out within a test; long enough to stop a worker before one does. */
const WAVES = { radiiM: [1_000, 3_000, 6_000], batchSize: 10, offerTtlMs: 2_000 };

function runExpiry(mode: Mode): void {
  describe(`booking waves and timers: ${mode}`, () => {
    let env: BookingEnv;
    beforeAll(async () => {
      env = await openBookingEnv(mode, WAVES);
    });
    afterAll(() => env?.close());

    const run = crypto.randomUUID().slice(0, 8);
    const town = (n: number) => ({ lat: 12.9716 + n * 0.5, lng: 77.5946 });
    const book = async (customerId: string, origin: { lat: number; lng: number }) => {
      const res = await asCustomerClient(env.app, customerId).POST("/v1/bookings", {
        params: { header: { "Idempotency-Key": `key-${customerId}` } },
        body: { customerId, pickup: origin, dropoff: north(origin, 4_000), vehicleType: "sedan" },
      });
      expect(res.response.status).toBe(202);
      return res.data!.bookingId;
    };
    const get = (bookingId: string) => env.booking(bookingId);

    test("nobody accepts: each wave reaches farther, to drivers not offered yet, and after the last the booking expires", async () => {
      const home = town(11);
      const [near, mid] = [`near-${run}`, `mid-${run}`];
      await seedDrivers(env.geo, [
        { id: near, at: north(home, 500) },
        { id: mid, at: north(home, 2_000) },
      ]);
      const started = Date.now();
      const bookingId = await book(`cust-x-${run}`, home);

      const b = await until(
        () => get(bookingId),
        (x) => x?.status === "expired",
        "the booking to expire",
        20_000,
      );
      // Two waves of 2 s each ran out before the expiry.
      expect(Date.now() - started).toBeGreaterThanOrEqual(2 * WAVES.offerTtlMs);
      expect(b!.timeline.map((t) => t.type)).toEqual([
        "booking.requested",
        "booking.offered",
        "booking.wave-due",
        "booking.offered",
        "booking.wave-due",
        "booking.expired",
      ]);
      expect(b!.timeline.every((t) => t.applied)).toBe(true);
      const offers = env.notifications().filter((n) => n.subjectId === bookingId && n.kind === "booking.offer");
      expect(offers.map((n) => [n.recipientId, n.payload.wave])).toEqual([
        [near, 1],
        [mid, 2],
      ]);
      const told = await until(
        () => env.notifications().filter((n) => n.subjectId === bookingId && n.kind === "booking.status"),
        (n) => n.length === 1,
        "the customer to be told",
      );
      expect(told[0]).toMatchObject({ recipientId: `cust-x-${run}`, recipientType: "customer", payload: { status: "expired" } });
    });

    test("a wave pending when the worker stops still fires after a new worker starts", async () => {
      const home = town(12);
      const only = `only-${run}`;
      await seedDrivers(env.geo, [{ id: only, at: north(home, 300) }]);
      const bookingId = await book(`cust-y-${run}`, home);
      await until(
        () => get(bookingId),
        (x) => x?.status === "offered",
        "the booking to be offered",
      );
      await env.stopWorker();

      const [pending] = await env.history.orm.select().from(bookingTimers).where(eq(bookingTimers.bookingId, bookingId));
      expect(pending).toMatchObject({ wave: 1, firedAt: null });
      // Past the wave's end with no worker running: nothing may happen.
      while (Date.now() < pending!.dueAt + 500) await Bun.sleep(50);
      expect((await get(bookingId))?.status).toBe("offered");

      await env.startWorker();
      const b: BookingDetails | null = await until(
        () => get(bookingId),
        (x) => x?.status === "expired",
        "the booking to expire after the restart",
        20_000,
      );
      expect(b!.timeline.map((t) => t.type)).toEqual(["booking.requested", "booking.offered", "booking.wave-due", "booking.expired"]);
      const [fired] = await env.history.orm.select().from(bookingTimers).where(eq(bookingTimers.bookingId, bookingId));
      expect(fired!.firedAt).toBeGreaterThanOrEqual(pending!.dueAt);
    });
  });
}

runExpiry("embedded log + embedded geo");
runExpiry("Kafka + Redis");
