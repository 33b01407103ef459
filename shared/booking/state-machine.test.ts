import { describe, expect, test } from "bun:test";
import type { BookingEvent } from "../events/booking.ts";
import { BOOKING_STATUSES, type BookingSnapshot, type BookingStatus, decide } from "./state-machine.ts";

const bookingId = "0f8fad5b-d9cb-469f-a165-70867728950e";
const at = (status: BookingStatus, over: Partial<BookingSnapshot> = {}): BookingSnapshot => ({
  status,
  driverId: status === "accepted" || status === "started" || status === "completed" ? "d-1" : null,
  wave: status === "requested" ? 0 : 2,
  offeredDriverIds: status === "requested" ? [] : ["d-1", "d-2", "d-3"],
  ...over,
});

const requested: BookingEvent = {
  type: "booking.requested",
  data: {
    bookingId,
    customerId: "c-1",
    pickup: { lat: 12.97, lng: 77.59 },
    dropoff: { lat: 12.93, lng: 77.62 },
    vehicleType: "sedan",
    fareEstimate: { amount: 140.5, currency: "INR" },
  },
};
const offered: BookingEvent = {
  type: "booking.offered",
  data: { bookingId, wave: 3, driverIds: ["d-4"], radiusM: 6000, expiresAt: "2026-11-01T08:00:15.000Z" },
};
const accept = (driverId: string): BookingEvent => ({ type: "booking.accepted", data: { bookingId, driverId } });
const started: BookingEvent = { type: "booking.started", data: { bookingId } };
const completed: BookingEvent = { type: "booking.completed", data: { bookingId } };
const cancelled: BookingEvent = { type: "booking.cancelled", data: { bookingId, by: "customer" } };
const expired: BookingEvent = { type: "booking.expired", data: { bookingId, reason: "no-acceptance" } };
const waveDue = (wave: number): BookingEvent => ({ type: "booking.wave-due", data: { bookingId, wave } });
const acceptRejected: BookingEvent = { type: "booking.accept-rejected", data: { bookingId, driverId: "d-2", reason: "taken" } };

describe("booking state machine", () => {
  test("the happy path: requested → offered → accepted → started → completed", () => {
    expect(decide(null, requested)).toEqual({ ok: true, status: "requested", driverId: null });
    expect(decide(at("requested"), offered)).toEqual({ ok: true, status: "offered", driverId: null });
    expect(decide(at("offered"), offered)).toEqual({ ok: true, status: "offered", driverId: null });
    expect(decide(at("offered"), accept("d-2"))).toEqual({ ok: true, status: "accepted", driverId: "d-2" });
    expect(decide(at("accepted"), started)).toEqual({ ok: true, status: "started", driverId: "d-1" });
    expect(decide(at("started"), completed)).toEqual({ ok: true, status: "completed", driverId: "d-1" });
  });

  // Which statuses each event applies in; in every other status it is refused.
  const allowed: [string, BookingEvent, BookingStatus[], BookingStatus | "same"][] = [
    ["offered", offered, ["requested", "offered"], "offered"],
    ["started", started, ["accepted"], "started"],
    ["completed", completed, ["started"], "completed"],
    ["cancelled", cancelled, ["requested", "offered", "accepted", "started"], "cancelled"],
    ["expired", expired, ["requested", "offered"], "expired"],
    ["accept-rejected (a notice)", acceptRejected, [...BOOKING_STATUSES], "same"],
  ];
  for (const [name, event, statuses, result] of allowed) {
    test(`${name}: applies in ${statuses.join(", ")}; refused as an invalid transition otherwise`, () => {
      for (const status of BOOKING_STATUSES) {
        const verdict = decide(at(status), event);
        if (statuses.includes(status))
          expect(verdict).toEqual({ ok: true, status: result === "same" ? status : result, driverId: at(status).driverId });
        else
          expect(verdict).toEqual({
            ok: false,
            code: "invalid-transition",
            reason: `${event.type} is not allowed while the booking is ${status}`,
          });
      }
    });
  }

  test("complete before start is refused and changes nothing", () => {
    expect(decide(at("accepted"), completed)).toEqual({
      ok: false,
      code: "invalid-transition",
      reason: "booking.completed is not allowed while the booking is accepted",
    });
  });

  test("accept: the first offered driver wins; the rest are told why they lost", () => {
    expect(decide(at("offered"), accept("d-1")).ok).toBe(true);
    expect(decide(at("accepted"), accept("d-2"))).toEqual({ ok: false, code: "taken", reason: "another driver accepted first" });
    expect(decide(at("started"), accept("d-3"))).toMatchObject({ ok: false, code: "taken" });
    expect(decide(at("offered"), accept("d-9"))).toMatchObject({ ok: false, code: "not-offered" });
    expect(decide(at("requested"), accept("d-1"))).toMatchObject({ ok: false, code: "not-offered" });
    for (const status of ["cancelled", "expired", "completed"] as const)
      expect(decide(at(status, { driverId: null }), accept("d-1"))).toMatchObject({
        ok: false,
        code: "closed",
        reason: `the booking is ${status}`,
      });
  });

  test("accept after cancel is refused as closed, even from the driver who had it", () => {
    expect(decide(at("cancelled", { driverId: "d-1" }), accept("d-1"))).toEqual({
      ok: false,
      code: "closed",
      reason: "the booking is cancelled",
    });
  });

  test("a driver holding another open booking cannot accept: refused as driver-busy; holding none (or this one) is fine", () => {
    expect(decide(at("offered"), accept("d-2"), { driverHolds: "other-booking" })).toMatchObject({
      ok: false,
      code: "driver-busy",
      reason: "driver d-2 already holds booking other-booking",
    });
    expect(decide(at("offered"), accept("d-2"), { driverHolds: null })).toEqual({ ok: true, status: "accepted", driverId: "d-2" });
    // Not offered stays the answer for a driver who was never offered it, busy or not.
    expect(decide(at("offered"), accept("d-9"), { driverHolds: "other-booking" })).toMatchObject({ ok: false, code: "not-offered" });
  });

  test("the winning driver accepting again is refused quietly (already-yours), not as a loss", () => {
    expect(decide(at("accepted"), accept("d-1"))).toMatchObject({ ok: false, code: "already-yours" });
  });

  test("wave-due counts only for the current wave of a searching booking", () => {
    expect(decide(at("offered"), waveDue(2))).toEqual({ ok: true, status: "offered", driverId: null });
    expect(decide(at("requested"), waveDue(1))).toEqual({
      ok: false,
      code: "stale-timer",
      reason: "wave 1 is over; the booking is on wave 0",
    });
    expect(decide(at("offered"), waveDue(1))).toEqual({
      ok: false,
      code: "stale-timer",
      reason: "wave 1 is over; the booking is on wave 2",
    });
    expect(decide(at("accepted"), waveDue(2))).toEqual({
      ok: false,
      code: "stale-timer",
      reason: "the search ended: the booking is accepted",
    });
  });

  test("waves only move forward: an offer for the current wave or an earlier one is refused", () => {
    expect(decide(at("offered"), { ...offered, data: { ...offered.data, wave: 2 } } as BookingEvent)).toEqual({
      ok: false,
      code: "stale-offer",
      reason: "wave 2 is not after wave 2",
    });
    expect(decide(at("requested"), { ...offered, data: { ...offered.data, wave: 1 } } as BookingEvent).ok).toBe(true);
  });

  test("a second booking.requested for an existing booking is refused; anything but requested for an unknown one too", () => {
    expect(decide(at("offered"), requested)).toEqual({ ok: false, code: "exists", reason: "the booking already exists" });
    for (const e of [offered, accept("d-1"), started, completed, cancelled, expired, waveDue(1), acceptRejected])
      expect(decide(null, e)).toMatchObject({ ok: false, code: "unknown-booking" });
  });
});
