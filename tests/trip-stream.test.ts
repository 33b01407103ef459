import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { EventSourceMessage } from "eventsource-parser";
import { asCustomer, asDriver } from "../gateway/auth/testing-auth.ts";
import { compareEntryIds } from "../shared/trip-stream/trip-stream.ts";
import { type BookingEnv, type Mode, north, openBookingEnv, seedDrivers, until } from "./bookings-env.ts";
import { asCustomerClient, asDriverClient, asOperatorClient, bookingAction, suiteConformance } from "./support/api-client.ts";
import { readSse } from "./support/read-sse.ts";

// Bun 1.4.5 ignores bunfig's [test] timeout; these wait for real consumers.
setDefaultTimeout(90_000);

const WAVES = { radiiM: [1_000, 3_000], batchSize: 10, offerTtlMs: 60_000 };

/**
 * The live trip stream end to end (issue 11): the real gateway app, the booking and
 * location workers under the runtime, a real log, geo index and stream store (Kafka +
 * Redis, or the embedded ones), libSQL files; clients read SSE as a browser would.
 */
function runTripStream(mode: Mode): void {
  describe(`trip stream end to end: ${mode}`, () => {
    let env: BookingEnv;
    beforeAll(async () => {
      env = await openBookingEnv(mode, WAVES, { location: {} });
    });
    afterAll(() => env?.close());

    const run = crypto.randomUUID().slice(0, 8);
    const town = (n: number) => ({ lat: 13.5 + n * 0.5, lng: 77.5946 });
    const book = async (customerId: string, origin: { lat: number; lng: number }, key: string) => {
      const body = { pickup: origin, dropoff: north(origin, 4_000), vehicleType: "sedan" as const };
      const res = await asCustomerClient(env.app, customerId).POST("/v1/bookings", {
        params: { header: { "Idempotency-Key": key } },
        body,
      });
      expect(res.response.status).toBe(202);
      return res.data!.bookingId;
    };
    const act = (bookingId: string, action: "accept" | "start" | "complete", driverId: string) =>
      bookingAction(env.app, bookingId, action, { role: "driver", sub: driverId });
    const status = async (bookingId: string) =>
      (await asOperatorClient(env.app).GET("/v1/bookings/{bookingId}", { params: { path: { bookingId } } })).data?.status ?? null;
    /** Device time of the tests' fixes: 1.5 s apart, never before now (the seeded position), at most seconds ahead. */
    let clock = 0;
    /** Posts one fix per point through the gateway, one request each, as a phone would (keep steps plausible: ~10 m/s). */
    const drive = async (driverId: string, points: { lat: number; lng: number }[]) => {
      clock = Math.max(clock, Date.now());
      const fixes = points.map((p) => ({ ...p, speed: 9, heading: 0, recordedAt: new Date((clock += 1_500)).toISOString() }));
      for (const f of fixes)
        expect(
          (
            await asDriverClient(env.app, driverId).POST("/v1/drivers/{driverId}/locations", {
              params: { path: { driverId } },
              body: { fixes: [f] },
            })
          ).response.status,
        ).toBe(202);
      return fixes.map((f) => f.recordedAt);
    };
    // Raw requests: the typed client would wait for the whole body. What they read is checked against the document below.
    const follow = (app: BookingEnv["app"], bookingId: string, headers: Record<string, string>) =>
      app.request(`/v1/bookings/${bookingId}/stream`, { headers });
    const conforms = (bookingId: string, events: EventSourceMessage[]) =>
      expect(suiteConformance().checkEvents("GET", `/v1/bookings/${bookingId}/stream`, events)).toEqual([]);
    const kinds = (events: EventSourceMessage[]) =>
      events.map((e) => (e.event === "status" ? (JSON.parse(e.data) as { type: string }).type : e.event!));
    const statuses = (events: EventSourceMessage[]) => kinds(events).filter((k) => k.startsWith("booking."));
    const recordedAts = (events: EventSourceMessage[]) =>
      events.filter((e) => e.event === "location").map((e) => (JSON.parse(e.data) as { recordedAt: string }).recordedAt);

    test("a customer follows a booking from request to completion: every status in order, the driver's moves after the accept, ETAs, then the end", async () => {
      const home = town(1);
      const [driver, customer] = [`ts-d1-${run}`, `ts-c1-${run}`];
      await seedDrivers(env.geo, [{ id: driver, at: north(home, 600) }]);
      const bookingId = await book(customer, home, `ts-k1-${run}`);
      await until(
        () => status(bookingId),
        (s) => s === "offered",
        "the booking to be offered",
      );

      const seen: EventSourceMessage[] = [];
      const reading = readSse(await follow(env.app, bookingId, asCustomer(customer)), {
        enough: (r) => r.ended,
        timeoutMs: 80_000,
        onEvent: (e) => seen.push(e),
      });
      // Strangers: another customer, a driver not assigned.
      for (const who of [asCustomer(`ts-other-${run}`), asDriver(`ts-nobody-${run}`)])
        expect((await follow(env.app, bookingId, who)).status).toBe(404);

      await act(bookingId, "accept", driver);
      await until(
        () => statuses(seen),
        (s) => s.includes("booking.accepted"),
        "the accept on the stream",
      );
      // The stream carries each batch's newest fix: fixes that reach the worker together show as their newest.
      const approach = await drive(driver, [north(home, 585), north(home, 570), north(home, 555)]);
      await until(
        () => recordedAts(seen),
        (r) => r.at(-1) === approach.at(-1),
        "the approach on the stream",
      );
      await act(bookingId, "start", driver);
      await until(
        () => statuses(seen),
        (s) => s.includes("booking.started"),
        "the start on the stream",
      );
      const ride = await drive(driver, [north(home, 540), north(home, 525)]);
      await until(
        () => recordedAts(seen),
        (r) => r.at(-1) === ride.at(-1),
        "the ride on the stream",
      );
      await act(bookingId, "complete", driver);

      const got = await reading;
      expect(got.ended).toBe(true);
      conforms(bookingId, got.events);
      expect(statuses(got.events)).toEqual([
        "booking.requested",
        "booking.offered",
        "booking.accepted",
        "booking.started",
        "booking.completion-requested",
        "booking.completed",
      ]);
      const k = kinds(got.events);
      expect(k.indexOf("location")).toBeGreaterThan(k.indexOf("booking.accepted"));
      expect(k.lastIndexOf("location")).toBeLessThan(k.indexOf("booking.completed"));
      const posted = [...approach, ...ride];
      const streamed = recordedAts(got.events);
      expect(streamed.every((at) => posted.includes(at))).toBe(true);
      expect(streamed).toEqual([...streamed].sort());
      expect(new Set(streamed).size).toBe(streamed.length);
      const etas = got.events.filter((e) => e.event === "eta").map((e) => JSON.parse(e.data) as { to: string; seconds: number });
      expect(etas[0]!.to).toBe("pickup");
      expect(etas.at(-1)!.to).toBe("dropoff");
      const ids = got.events.map((e) => e.id!);
      for (let i = 1; i < ids.length; i++) expect(compareEntryIds(ids[i]!, ids[i - 1]!)).toBeGreaterThan(0);
      expect((await follow(env.app, bookingId, { ...asCustomer(customer), "last-event-id": ids.at(-1)! })).status).toBe(204);
    });

    test("a client that reconnects with Last-Event-ID to another gateway continues without gap or duplicate", async () => {
      const home = town(2);
      const [driver, customer] = [`ts-d2-${run}`, `ts-c2-${run}`];
      await seedDrivers(env.geo, [{ id: driver, at: north(home, 400) }]);
      const bookingId = await book(customer, home, `ts-k2-${run}`);
      await until(
        () => status(bookingId),
        (s) => s === "offered",
        "the booking to be offered",
      );
      await act(bookingId, "accept", driver);
      await until(
        () => status(bookingId),
        (s) => s === "accepted",
        "the accept",
      );

      const first = await readSse(await follow(env.app, bookingId, asCustomer(customer)), {
        enough: (r) => statuses(r.events).includes("booking.accepted"),
      });
      // While the client is away: the driver moves, the trip starts.
      await drive(driver, [north(home, 390), north(home, 375)]);
      await act(bookingId, "start", driver);
      await until(
        () => status(bookingId),
        (s) => s === "started",
        "the start",
      );
      await act(bookingId, "complete", driver);

      const other = await env.secondGateway();
      const rest = await readSse(await follow(other, bookingId, { ...asCustomer(customer), "last-event-id": first.events.at(-1)!.id! }), {
        enough: (r) => r.ended,
        timeoutMs: 60_000,
      });
      expect(rest.ended).toBe(true);
      conforms(bookingId, [...first.events, ...rest.events]);
      const stored = (await env.tripStream.read(bookingId, { limit: 1_000 })).entries.map((e) => e.id);
      expect([...first.events, ...rest.events].map((e) => e.id)).toEqual(stored);
      expect(statuses(rest.events)).toEqual(["booking.started", "booking.completion-requested", "booking.completed"]);
      expect(recordedAts(rest.events).length).toBeGreaterThanOrEqual(1);
    });

    test("a driver offered a booking reads it until another takes it, is told the offer was withdrawn, and then gets 404", async () => {
      const home = town(3);
      const [winner, loser, customer] = [`ts-d3-${run}`, `ts-d4-${run}`, `ts-c3-${run}`];
      await seedDrivers(env.geo, [
        { id: winner, at: north(home, 300) },
        { id: loser, at: north(home, 700) },
      ]);
      const bookingId = await book(customer, home, `ts-k3-${run}`);
      await until(
        () => status(bookingId),
        (s) => s === "offered",
        "the booking to be offered",
      );
      const asLoser = asDriverClient(env.app, loser);
      const offered = await asLoser.GET("/v1/bookings/{bookingId}", { params: { path: { bookingId } } });
      expect(offered.data).toMatchObject({
        bookingId,
        status: "offered",
        offer: { wave: 1 },
        pickupEta: { model: expect.any(String) },
      });
      const listed = await asLoser.GET("/v1/drivers/{driverId}/offers", { params: { path: { driverId: loser } } });
      expect(listed.data?.offers.map((o) => o.bookingId)).toEqual([bookingId]);
      const offer = await until(
        () => env.notifications().find((n) => n.kind === "booking.offer" && n.recipientId === loser && n.subjectId === bookingId),
        (n) => n !== undefined,
        "the offer notification",
      );
      expect(offer!.payload.pickupEta).toMatchObject({ seconds: expect.any(Number) });

      await act(bookingId, "accept", winner);
      const withdrawn = await until(
        () => env.notifications().filter((n) => n.kind === "offer.withdrawn" && n.subjectId === bookingId),
        (n) => n.length === 1,
        "the withdrawal",
      );
      expect(withdrawn[0]).toMatchObject({ recipientId: loser, payload: { bookingId, reason: "taken" } });
      expect((await asLoser.GET("/v1/bookings/{bookingId}", { params: { path: { bookingId } } })).response.status).toBe(404);
      const trip = await asDriverClient(env.app, winner).GET("/v1/drivers/{driverId}/trip", { params: { path: { driverId: winner } } });
      expect(trip.data?.trip?.bookingId).toBe(bookingId);
    });

    test("a customer's bookings list paginates newest first", async () => {
      const customer = `ts-c4-${run}`;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await book(customer, town(4), `ts-k4-${i}-${run}`));
      const page = async (cursor?: string) =>
        (
          await asCustomerClient(env.app, customer).GET("/v1/customers/{customerId}/bookings", {
            params: { path: { customerId: customer }, query: { limit: 2, cursor } },
          })
        ).data!;
      const first = await until(
        () => page(),
        (p) => p.bookings.length === 2 && p.nextCursor !== null,
        "the bookings to be listed",
      );
      const second = await until(
        () => page(first.nextCursor!),
        (p) => p.bookings.length === 1,
        "the last page",
      );
      expect(second.nextCursor).toBeNull();
      expect([...first.bookings, ...second.bookings].map((b) => b.bookingId).sort()).toEqual([...ids].sort());
    });
  });
}

runTripStream("embedded log + embedded geo");
runTripStream("Kafka + Redis");
