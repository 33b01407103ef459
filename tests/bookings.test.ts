import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { operations } from "../clients/typescript/index.ts";
import type { BookingDetails } from "../shared/booking/booking-query.ts";
import { bookingIdForRequest } from "../shared/booking/ids.ts";
import { type BookingEnv, type Mode, north, openBookingEnv, seedDrivers, until } from "./bookings-env.ts";
import {
  type ActionBody,
  asCustomerClient,
  asOperatorClient,
  bookingAction,
  bookingDetails,
  type Caller,
  customer,
  driver,
} from "./support/api-client.ts";

type BookingRequest = operations["requestBooking"]["requestBody"]["content"]["application/json"];

// Bun 1.4.5 ignores bunfig's [test] timeout; these wait for real consumers.
setDefaultTimeout(60_000);

/** Long offers: nothing here should run out while a test drives the booking. */
const WAVES = { radiiM: [1_000, 3_000], batchSize: 10, offerTtlMs: 60_000 };

function runBookingFlow(mode: Mode): void {
  describe(`bookings end to end: ${mode}`, () => {
    let env: BookingEnv;
    beforeAll(async () => {
      env = await openBookingEnv(mode, WAVES);
    });
    afterAll(() => env?.close());

    const run = crypto.randomUUID().slice(0, 8);
    /** Each test books in its own town, so drivers of one test are never offered another's booking. */
    const town = (n: number) => ({ lat: 12.9716 + n * 0.5, lng: 77.5946 });
    const request = (customerId: string, origin: { lat: number; lng: number }) => ({
      customerId,
      pickup: origin,
      dropoff: north(origin, 4_000),
      vehicleType: "sedan" as const,
    });
    const book = async (body: BookingRequest & { customerId: string }, key: string) => {
      const res = await asCustomerClient(env.app, body.customerId).POST("/v1/bookings", {
        params: { header: { "Idempotency-Key": key } },
        body,
      });
      return { status: res.response.status, body: res.data };
    };
    /** An action as `who` (driver(id), customer(id)): the caller comes from the token, not the body. */
    const act = (bookingId: string, action: "accept" | "start" | "complete" | "cancel", who: Caller, body: ActionBody = {}) =>
      bookingAction(env.app, bookingId, action, who, body);
    const get = async (bookingId: string): Promise<BookingDetails | null> =>
      bookingDetails((await asOperatorClient(env.app).GET("/v1/bookings/{bookingId}", { params: { path: { bookingId } } })).data) ?? null;
    const timelineHas = (id: string) => (b: BookingDetails | null) => !!b?.timeline.some((t) => t.eventId === id);
    const nearbyIds = async (at: { lat: number; lng: number }) =>
      (await env.geo.nearby({ ...at, radiusM: 2_000, vehicleType: "sedan", limit: 10, now: Date.now(), staleAfterMs: 60_000 })).map(
        (d) => d.driverId,
      );

    test("3 nearby drivers get offers; the first accept wins, the second is refused and told; start, complete, and the driver is free again", async () => {
      const home = town(1);
      const [d1, d2, d3] = [`d1-${run}`, `d2-${run}`, `d3-${run}`];
      await seedDrivers(env.geo, [
        { id: d1, at: north(home, 200) },
        { id: d2, at: north(home, 400) },
        { id: d3, at: north(home, 700) },
      ]);

      const created = await book(request(`cust-a-${run}`, home), `key-a-${run}`);
      expect(created.status).toBe(202);
      expect(created.body!.status).toBe("searching");
      const { bookingId } = created.body!;
      expect(bookingId).toBe(bookingIdForRequest(`cust-a-${run}`, `key-a-${run}`));

      await until(
        () => get(bookingId),
        (b) => b?.status === "offered",
        "the booking to be offered",
      );
      const offers = await until(
        () => env.notifications().filter((n) => n.subjectId === bookingId && n.kind === "booking.offer"),
        (o) => o.length === 3,
        "three offers",
      );
      expect(offers.map((n) => n.recipientId).sort()).toEqual([d1, d2, d3].sort());

      const win = await act(bookingId, "accept", driver(d2));
      const lose = await act(bookingId, "accept", driver(d1));
      const b = await until(
        () => get(bookingId),
        (x) => !!x?.timeline.some((t) => t.type === "booking.accept-rejected"),
        "the losing accept to be answered",
      );
      expect(b).toMatchObject({ status: "accepted", driverId: d2 });
      expect(b!.timeline.find((t) => t.eventId === win)).toMatchObject({ type: "booking.accepted", applied: true });
      expect(b!.timeline.find((t) => t.eventId === lose)).toMatchObject({
        type: "booking.accepted",
        applied: false,
        reason: "another driver accepted first",
      });
      const told = await until(
        () => env.notifications().filter((n) => n.subjectId === bookingId && n.kind === "booking.accept-rejected"),
        (n) => n.length === 1,
        "the losing driver to be told",
      );
      expect(told[0]).toMatchObject({ recipientId: d1, recipientType: "driver", payload: { bookingId, reason: "taken" } });
      expect((await env.geo.get(d2))?.status).toBe("busy");
      expect(await nearbyIds(home)).toEqual([d1, d3]);

      await act(bookingId, "start", driver(d2));
      const done = await act(bookingId, "complete", driver(d2));
      const finished = await until(
        () => get(bookingId),
        (b) => timelineHas(done)(b) && b?.status === "completed",
        "the completion",
      );
      expect(finished?.status).toBe("completed");
      expect(finished!.timeline.map((t) => t.type)).toEqual([
        "booking.requested",
        "booking.offered",
        "booking.accepted",
        "booking.accepted",
        "booking.accept-rejected",
        "booking.started",
        "booking.completion-requested",
        "booking.completed",
      ]);
      expect(await nearbyIds(home)).toEqual([d1, d2, d3]);
    });

    test("the same Idempotency-Key twice is one booking with the same answer; the same key with another body is a 422", async () => {
      const home = town(2);
      const body = request(`cust-b-${run}`, home);
      const first = await book(body, `key-b-${run}`);
      const again = await book(body, `key-b-${run}`);
      expect([first.status, again.status]).toEqual([202, 202]);
      expect(again.body).toEqual(first.body);
      const conflict = await book({ ...body, vehicleType: "suv" }, `key-b-${run}`);
      expect(conflict.status).toBe(422);

      // Nobody drives in this town: the booking expires at once, and its timeline shows one request.
      const b = await until(
        () => get(first.body!.bookingId),
        (x) => x?.status === "expired",
        "the booking to expire for lack of drivers",
      );
      await Bun.sleep(300); // room for the republished duplicate to arrive and be skipped
      expect((await get(first.body!.bookingId))!.timeline.map((t) => t.type)).toEqual(["booking.requested", "booking.expired"]);
      expect(b?.fareEstimate).toEqual(first.body!.fareEstimate);
    });

    test("invalid transitions are refused and shown in the timeline with applied=false: complete before start, accept after cancel", async () => {
      const home = town(3);
      const d = `d4-${run}`;
      const customerId = `cust-c-${run}`;
      await seedDrivers(env.geo, [{ id: d, at: north(home, 300) }]);
      const { bookingId } = (await book(request(customerId, home), `key-c-${run}`)).body!;
      await until(
        () => get(bookingId),
        (b) => b?.status === "offered",
        "the booking to be offered",
      );
      // Only the assigned driver may complete, so the early completion comes after the accept.
      await act(bookingId, "accept", driver(d));
      await until(
        () => get(bookingId),
        (b) => b?.status === "accepted",
        "the accept to be applied",
      );

      const early = await act(bookingId, "complete", driver(d));
      await act(bookingId, "cancel", customer(customerId), { reason: "plans changed" });
      const late = await act(bookingId, "accept", driver(d));
      const b = await until(() => get(bookingId), timelineHas(late), "the late accept to be judged");
      expect(b?.status).toBe("cancelled");
      expect(b!.timeline.find((t) => t.eventId === early)).toMatchObject({
        type: "booking.completion-requested",
        applied: false,
        reason: "booking.completion-requested is not allowed while the booking is accepted",
      });
      expect(b!.timeline.find((t) => t.eventId === late)).toMatchObject({
        type: "booking.accepted",
        applied: false,
        reason: "the booking is cancelled",
      });
      const told = await until(
        () => env.notifications().filter((n) => n.subjectId === bookingId && n.kind === "booking.accept-rejected"),
        (n) => n.length === 1,
        "the driver to be told",
      );
      expect(told[0]!.payload).toEqual({ bookingId, reason: "closed" });
      expect((await env.geo.get(d))?.status).toBe("available");
    });
  });
}

runBookingFlow("embedded log + embedded geo");
runBookingFlow("Kafka + Redis");
