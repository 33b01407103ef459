import { describe, expect, test } from "bun:test";
import { arrivalDueEventId, decisionEventId } from "../../shared/booking/ids.ts";
import { decide } from "../../shared/booking/state-machine.ts";
import { DEFAULT_TRIP } from "../../shared/booking/trip-settings.ts";
import { DEFAULT_WAVES } from "../../shared/booking/waves.ts";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import { parseBookingEvent } from "./booking-event.ts";
import type { LoadedBooking } from "./booking-store.ts";
import { react } from "./reactions.ts";
import { consumed, PICKUP } from "./testing.ts";

/* react() alone: no database, log or geo index. The handler tests run the same rules through libSQL. */

const bookingId = "0f8fad5b-d9cb-469f-a165-70867728950e";
const T0 = Date.parse("2026-11-01T08:00:00.000Z");
const booking = (over: Partial<LoadedBooking> = {}): LoadedBooking => ({
  bookingId,
  customerId: "cust-1",
  orderId: null,
  vehicleType: "sedan",
  pickup: PICKUP,
  dropoff: PICKUP,
  fareEstimate: { amount: 100, currency: "INR" },
  surge: 1,
  correlationId: "corr-1",
  version: 3,
  requestedAt: "2026-11-01T08:00:00.000Z",
  arrivedAt: null,
  startedAt: null,
  status: "accepted",
  driverId: "d-1",
  wave: 1,
  round: 0,
  offeredDriverIds: ["d-1", "d-2"],
  roundOfferedDriverIds: ["d-1", "d-2"],
  droppedDriverIds: [],
  pickupCode: null,
  ...over,
});
const at = (s: number) => ({ occurredAt: new Date(T0 + s * 1000) });
const reactTo = (before: LoadedBooking, type: string, data: Record<string, unknown>, s = 60, etaMs?: number) => {
  const event = parseBookingEvent(consumed(type, { bookingId, ...data }, at(s)));
  return react({ before, event, verdict: decide(before, event), etaMs, waves: DEFAULT_WAVES, trip: DEFAULT_TRIP, now: T0 + s * 1000 });
};
const typesOut = (o: ReturnType<typeof react>) => o.outbox.map((r) => parseEnvelope(r.value).type);

describe("booking reactions", () => {
  test("an accept sets the driver busy and starts their arrival deadline at the accept's time + ETA + grace", () => {
    const o = reactTo(booking({ status: "offered", driverId: null }), "booking.accepted", { driverId: "d-2" }, 10, 90_000);
    expect(o.geo).toEqual([{ driverId: "d-2", status: "busy", vehicleType: "sedan", changedAt: T0 + 10_000 }]);
    expect(o.cancelTimers).toBe(true);
    expect(o.timer).toMatchObject({
      eventId: arrivalDueEventId(bookingId, "d-2"),
      type: "booking.arrival-due",
      dueAt: T0 + 10_000 + 90_000 + DEFAULT_TRIP.arrivalGraceMs,
    });
  });

  test("a drop frees and counts the driver, moves the booking to a new round, and decides the reassignment under the cause's id", () => {
    const e = consumed("booking.cancelled", { bookingId, by: "driver", driverId: "d-1" }, at(60));
    const before = booking();
    const event = parseBookingEvent(e);
    const o = react({ before, event, verdict: decide(before, event), waves: DEFAULT_WAVES, trip: DEFAULT_TRIP, now: T0 + 60_000 });
    expect(o.update).toMatchObject({ status: "requested", driverId: null, round: 1, wave: 0, droppedDriverIds: '["d-1"]' });
    expect(o.counter).toEqual({ driverId: "d-1", cancelsAfterAccept: 1, noShows: 0 });
    expect(o.geo).toMatchObject([{ driverId: "d-1", status: "available" }]);
    const decision = o.outbox.map((r) => parseEnvelope(r.value)).find((x) => x.type === "booking.reassigning")!;
    expect(decision).toMatchObject({
      id: decisionEventId(bookingId, e.id),
      data: { round: 1, droppedDriverId: "d-1", reason: "driver-cancelled" },
    });
  });

  test("a drop past the limits decides the expiry instead, with the reason", () => {
    const late = reactTo(booking(), "booking.arrival-due", { driverId: "d-1" }, 3_600);
    expect(typesOut(late)).toContain("booking.expired");
    expect(typesOut(late)).not.toContain("booking.reassigning");
    expect(late.counter).toEqual({ driverId: "d-1", cancelsAfterAccept: 0, noShows: 1 });
    const tooMany = reactTo(booking({ round: DEFAULT_TRIP.reassign.maxReassignments }), "booking.cancelled", { by: "driver" });
    const expired = tooMany.outbox.map((r) => parseEnvelope(r.value)).find((x) => x.type === "booking.expired");
    expect(expired?.data).toEqual({ bookingId, reason: "reassign-limit" });
  });

  test("the customer cancelling after arrival owes the base fare; the no-show timer cancels with the same fee and says why", () => {
    const arrived = booking({ status: "arrived", arrivedAt: "2026-11-01T08:05:00.000Z" });
    expect(reactTo(arrived, "booking.cancelled", { by: "customer" }).update).toMatchObject({
      status: "cancelled",
      cancelledBy: "customer",
      feeAmount: 50,
    });
    expect(reactTo(arrived, "booking.wait-due", { driverId: "d-1" }).update).toMatchObject({
      status: "cancelled",
      cancelledBy: "system",
      endReason: "customer-no-show",
      feeAmount: 50,
    });
    expect(reactTo(booking(), "booking.cancelled", { by: "customer" }).update?.feeAmount).toBeNull();
  });

  test("a refused event changes nothing and follows up with nothing but the refusal", () => {
    const o = reactTo(booking({ status: "started" }), "booking.cancelled", { by: "customer" });
    expect(o.audit).toMatchObject({ applied: false, reason: "the customer may not cancel while the booking is started" });
    expect([o.update, o.timer, o.counter, o.outbox.length, o.geo.length]).toEqual([undefined, undefined, undefined, 0, 0]);
  });
});
