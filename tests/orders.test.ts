import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { VehicleType } from "../shared/events/driver.ts";
import type { OrderDetails } from "../shared/order/order-query.ts";
import { north, until } from "./bookings-env.ts";
import { type Mode, type OrderEnv, openOrderEnv } from "./orders-env.ts";
import { asCustomerClient, asDriverClient } from "./support/api-client.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; these wait for real consumers.
setDefaultTimeout(60_000);

/** Long offers, and batches as large as the fleet of a type: every booking is offered to every driver of its type. */
const WAVES = { radiiM: [2_000, 5_000], batchSize: 20, offerTtlMs: 60_000 };
const LINES: { vehicleType: VehicleType; quantity: number }[] = [
  { vehicleType: "tipper", quantity: 10 },
  { vehicleType: "container", quantity: 20 },
  { vehicleType: "open", quantity: 20 },
];

function runOrderFlow(mode: Mode): void {
  describe(`orders end to end: ${mode}`, () => {
    let env: OrderEnv;
    beforeAll(async () => {
      env = await openOrderEnv(mode, WAVES);
    });
    afterAll(() => env?.close());

    const run = crypto.randomUUID().slice(0, 8);
    const home = { lat: 19.076, lng: 72.8777 };
    const driverId = (t: VehicleType, k: number) => `${t}-${k}-${run}`;

    const get = async (orderId: string): Promise<OrderDetails | null> => {
      const res = await asCustomerClient(env.app, `cust-${run}`).GET("/v1/orders/{orderId}", { params: { path: { orderId } } });
      return res.data ?? null;
    };
    const accept = async (bookingId: string, driver: string) =>
      expect(
        (await asDriverClient(env.app, driver).POST("/v1/bookings/{bookingId}/accept", { params: { path: { bookingId } }, body: {} }))
          .response.status,
      ).toBe(202);
    const offersByBooking = async (orderId: string) => {
      const rs = await env.history.client.execute({
        sql: "SELECT o.booking_id, o.driver_id, b.vehicle_type FROM booking_offers o JOIN bookings b USING (booking_id) WHERE b.order_id = ?",
        args: [orderId],
      });
      const m = new Map<string, { type: string; drivers: string[] }>();
      for (const r of rs.rows) {
        const e = m.get(String(r.booking_id)) ?? { type: String(r.vehicle_type), drivers: [] };
        e.drivers.push(String(r.driver_id));
        m.set(String(r.booking_id), e);
      }
      return m;
    };

    test("10 tipper + 20 container + 20 open: 50 bookings, each offered to its type's drivers; accepts roll up to partially assigned, then fulfilled; replaying the orders topic adds no booking", async () => {
      const now = Date.now();
      for (const { vehicleType, quantity } of LINES) {
        const drivers = Array.from({ length: quantity }, (_, k) => ({ id: driverId(vehicleType, k), at: north(home, 100 + k * 20) }));
        await env.geo.setStatus(drivers.map((d) => ({ driverId: d.id, status: "available", vehicleType, changedAt: now - 60_000 })));
        await env.geo.upsertPositions(drivers.map((d) => ({ driverId: d.id, ...d.at, recordedAt: now })));
      }

      const res = await asCustomerClient(env.app, `cust-${run}`).POST("/v1/orders", {
        params: { header: { "Idempotency-Key": `order-${run}` } },
        body: { customerId: `cust-${run}`, pickup: home, dropoff: north(home, 20_000), trucks: LINES },
      });
      expect(res.response.status).toBe(202);
      const { orderId, bookingIds } = res.data!;
      expect(new Set(bookingIds).size).toBe(50);

      const offered = await until(
        () => get(orderId),
        (o) => o?.trucks.every((t) => t.status === "searching") === true && o.trucks.length === 50,
        "the order to be expanded",
      );
      expect(offered!.status).toBe("searching");
      expect(offered!.trucks.map((t) => t.bookingId)).toEqual(bookingIds);
      const offers = await until(
        () => offersByBooking(orderId),
        (m) => m.size === 50,
        "all 50 bookings to be offered",
      );
      for (const [i, id] of bookingIds.entries()) {
        const type = offered!.trucks[i]!.vehicleType;
        const o = offers.get(id)!;
        expect(o.type).toBe(type);
        expect(o.drivers.sort()).toEqual(Array.from({ length: type === "tipper" ? 10 : 20 }, (_, k) => driverId(type, k)).sort());
      }

      // Tippers first: the order is partially assigned.
      const nth = (i: number) => i - offered!.trucks.findIndex((t) => t.vehicleType === offered!.trucks[i]!.vehicleType);
      for (let i = 0; i < 10; i++) await accept(bookingIds[i]!, driverId("tipper", nth(i)));
      const partial = await until(
        () => get(orderId),
        (o) => o?.counts.assigned === 10,
        "10 trucks to be assigned",
      );
      expect(partial).toMatchObject({
        status: "partially-assigned",
        counts: { total: 50, searching: 40, assigned: 10, cancelled: 0, expired: 0 },
      });
      expect(partial!.trucks[3]).toEqual({
        bookingId: bookingIds[3]!,
        vehicleType: "tipper",
        status: "assigned",
        driverId: driverId("tipper", 3),
      });

      for (let i = 10; i < 50; i++) await accept(bookingIds[i]!, driverId(offered!.trucks[i]!.vehicleType, nth(i)));
      const done = await until(
        () => get(orderId),
        (o) => o?.status === "fulfilled",
        "the order to be fulfilled",
      );
      expect(done!.counts).toEqual({ total: 50, searching: 0, assigned: 50, cancelled: 0, expired: 0 });
      // Two drains of the shared outbox may publish a record twice, under one id: distinct ids count.
      const distinct = () => [
        ...new Map(
          env
            .orderEvents()
            .filter((e) => e.key === orderId)
            .map((e) => [e.id, e]),
        ).values(),
      ];
      const countOf = (type: string) => distinct().filter((e) => e.type === type).length;
      await until(
        () => [countOf("order.truck-assigned"), countOf("order.fulfilled")],
        ([a, f]) => a === 50 && f === 1,
        "50 order.truck-assigned and one order.fulfilled",
      );
      expect(
        new Set(
          distinct()
            .filter((e) => e.type === "order.truck-assigned")
            .map((e) => (e.data as { bookingId: string }).bookingId),
        ),
      ).toEqual(new Set(bookingIds));
      expect(distinct().find((e) => e.type === "order.fulfilled")!.data).toEqual({ orderId, assigned: 50, expired: 0, cancelled: 0 });

      // Replay: rewind the order worker's group to the start of the orders topic.
      await Bun.sleep(300); // let the loop settle: once every truck is assigned, the only timers pending are arrival deadlines minutes away
      await env.stopWorkers();
      const bookingRecords = await env.recordsIn(env.topics.bookings);
      await env.log.admin().resetOffsets(env.groups.order, env.topics.orders, { to: "earliest" });
      await env.startWorkers();
      const ordersEnd = await env.recordsIn(env.topics.orders);
      await until(
        async () => (await env.log.admin().lag(env.groups.order, [env.topics.orders])).reduce((n, p) => n + p.lag, 0),
        (lag) => lag === 0 && ordersEnd > 0,
        "the replay to finish",
      );
      await Bun.sleep(500);
      expect(await env.recordsIn(env.topics.bookings)).toBe(bookingRecords);
      const rows = await env.history.client.execute({ sql: "SELECT count(*) AS n FROM bookings WHERE order_id = ?", args: [orderId] });
      expect(Number(rows.rows[0]!.n)).toBe(50);
      expect((await get(orderId))!.status).toBe("fulfilled");
    });

    test("a 3-truck order whose truck-2 driver cancels is not fulfilled until a new driver accepts truck 2, and that driver is never offered it again", async () => {
      const yard = north(home, 40_000);
      const drivers = ["t1", "t2", "t3", "t4"].map((d) => `${d}-${run}`);
      const now = Date.now();
      await env.geo.setStatus(drivers.map((d) => ({ driverId: d, status: "available", vehicleType: "tipper", changedAt: now - 60_000 })));
      await env.geo.upsertPositions(drivers.map((d, k) => ({ driverId: d, ...north(yard, 100 + k * 50), recordedAt: now })));
      const customer = `cust-${run}`;
      const res = await asCustomerClient(env.app, customer).POST("/v1/orders", {
        params: { header: { "Idempotency-Key": `order3-${run}` } },
        body: { pickup: yard, dropoff: north(yard, 10_000), trucks: [{ vehicleType: "tipper", quantity: 3 }] },
      });
      const { orderId, bookingIds } = res.data!;
      await until(
        () => offersByBooking(orderId),
        (m) => m.size === 3,
        "the three trucks to be offered",
      );
      for (const [i, id] of bookingIds.entries()) await accept(id, drivers[i]!);
      await until(
        () => get(orderId),
        (o) => o?.status === "fulfilled",
        "the order to be fulfilled",
      );

      // Truck 2's driver walks away: the truck searches again and the order is no longer fulfilled.
      const cancel = await asDriverClient(env.app, drivers[1]!).POST("/v1/bookings/{bookingId}/cancel", {
        params: { path: { bookingId: bookingIds[1]! } },
        body: { reason: "breakdown" },
      });
      expect(cancel.response.status).toBe(202);
      const reopened = await until(
        () => get(orderId),
        (o) => o?.trucks[1]?.status === "searching",
        "truck 2 to search again",
      );
      expect(reopened).toMatchObject({ status: "partially-assigned", counts: { total: 3, searching: 1, assigned: 2 } });
      expect(reopened!.trucks[1]!.driverId).toBeUndefined();
      const round1 = await until(
        async () =>
          (
            await env.history.client.execute({
              sql: "SELECT driver_id FROM booking_offers WHERE booking_id = ? AND round = 1",
              args: [bookingIds[1]!],
            })
          ).rows.map((r) => String(r.driver_id)),
        (ids) => ids.length > 0,
        "truck 2 to be offered again",
      );
      expect(round1).not.toContain(drivers[1]!);
      expect(round1).toContain(drivers[3]!);

      await accept(bookingIds[1]!, drivers[3]!);
      const again = await until(
        () => get(orderId),
        (o) => o?.status === "fulfilled",
        "the order to be fulfilled again",
      );
      expect(again!.trucks[1]).toMatchObject({ status: "assigned", driverId: drivers[3] });
      const fulfilled = () =>
        new Set(
          env
            .orderEvents()
            .filter((e) => e.key === orderId && e.type === "order.fulfilled")
            .map((e) => e.id),
        );
      await until(fulfilled, (ids) => ids.size === 2, "a second order.fulfilled");
    });
  });
}

runOrderFlow("embedded log + embedded geo");
runOrderFlow("Kafka + Redis");
