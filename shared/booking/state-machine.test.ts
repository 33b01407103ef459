import { describe, expect, test } from "bun:test";
import type { BookingEvent } from "../events/booking.ts";
import { afterDrop, BOOKING_STATUSES, type BookingSnapshot, type BookingStatus, decide } from "./state-machine.ts";

const bookingId = "0f8fad5b-d9cb-469f-a165-70867728950e";
const WITH_DRIVER: BookingStatus[] = ["accepted", "arrived", "started", "completed"];
const at = (status: BookingStatus, over: Partial<BookingSnapshot> = {}): BookingSnapshot => ({
  status,
  driverId: WITH_DRIVER.includes(status) ? "d-1" : null,
  wave: status === "requested" ? 0 : 2,
  round: 0,
  offeredDriverIds: status === "requested" ? [] : ["d-1", "d-2", "d-3"],
  droppedDriverIds: [],
  pickupCode: null,
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
const startWith = (pickupCode: string): BookingEvent => ({ type: "booking.started", data: { bookingId, pickupCode } });
const completed: BookingEvent = { type: "booking.completed", data: { bookingId } };
const completionRequested: BookingEvent = { type: "booking.completion-requested", data: { bookingId } };
const cancelled: BookingEvent = { type: "booking.cancelled", data: { bookingId, by: "customer" } };
const cancelBy = (by: "customer" | "driver", driverId?: string): BookingEvent => ({
  type: "booking.cancelled",
  data: { bookingId, by, ...(driverId ? { driverId } : {}) },
});
const arrived = (driverId = "d-1"): BookingEvent => ({
  type: "booking.driver-arrived",
  data: { bookingId, driverId, detectedBy: "driver" },
});
const arrivalDue = (driverId = "d-1"): BookingEvent => ({ type: "booking.arrival-due", data: { bookingId, driverId } });
const waitDue = (driverId = "d-1"): BookingEvent => ({ type: "booking.wait-due", data: { bookingId, driverId } });
const reassigning = (round: number): BookingEvent => ({
  type: "booking.reassigning",
  data: { bookingId, round, droppedDriverId: "d-1", reason: "driver-cancelled" },
});
const expired: BookingEvent = { type: "booking.expired", data: { bookingId, reason: "no-acceptance" } };
const waveDue = (wave: number): BookingEvent => ({ type: "booking.wave-due", data: { bookingId, wave } });
const acceptRejected: BookingEvent = { type: "booking.accept-rejected", data: { bookingId, driverId: "d-2", reason: "taken" } };

describe("booking state machine", () => {
  test("the happy path: requested → offered → accepted → arrived → started → completed", () => {
    expect(decide(null, requested)).toEqual({ ok: true, status: "requested", driverId: null });
    expect(decide(at("requested"), offered)).toEqual({ ok: true, status: "offered", driverId: null });
    expect(decide(at("offered"), offered)).toEqual({ ok: true, status: "offered", driverId: null });
    expect(decide(at("offered"), accept("d-2"))).toEqual({ ok: true, status: "accepted", driverId: "d-2" });
    expect(decide(at("accepted"), arrived())).toEqual({ ok: true, status: "arrived", driverId: "d-1" });
    expect(decide(at("arrived"), started)).toEqual({ ok: true, status: "started", driverId: "d-1" });
    expect(decide(at("started"), completionRequested)).toEqual({ ok: true, status: "started", driverId: "d-1" });
    expect(decide(at("started"), completed)).toEqual({ ok: true, status: "completed", driverId: "d-1" });
  });

  // Which statuses each event applies in; in every other status it is refused.
  const allowed: [string, BookingEvent, BookingStatus[], BookingStatus | "same"][] = [
    ["offered", offered, ["requested", "offered"], "offered"],
    ["driver-arrived", arrived(), ["accepted"], "arrived"],
    ["started", started, ["accepted", "arrived"], "started"],
    ["completion-requested (a request)", completionRequested, ["started"], "same"],
    ["completed", completed, ["started"], "completed"],
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

  test("cancellation rules: the customer until the driver arrived (then with a fee), the driver while holding it (a drop); nobody once started", () => {
    const table = (by: "customer" | "driver") =>
      Object.fromEntries(
        BOOKING_STATUSES.map((status) => {
          const v = decide(at(status), cancelBy(by));
          return [status, v.ok ? (v.drop ? `drop:${v.drop.reason}` : `${v.status}${v.fee ? `+${v.fee}` : ""}`) : v.reason];
        }),
      );
    expect(table("customer")).toEqual({
      requested: "cancelled",
      offered: "cancelled",
      accepted: "cancelled",
      arrived: "cancelled+cancellation",
      started: "the customer may not cancel while the booking is started",
      completed: "the customer may not cancel while the booking is completed",
      cancelled: "the customer may not cancel while the booking is cancelled",
      expired: "the customer may not cancel while the booking is expired",
    });
    expect(table("driver")).toEqual({
      requested: "the driver may not cancel while the booking is requested",
      offered: "the driver may not cancel while the booking is offered",
      accepted: "drop:driver-cancelled",
      arrived: "drop:driver-cancelled",
      started: "the driver may not cancel while the booking is started",
      completed: "the driver may not cancel while the booking is completed",
      cancelled: "the driver may not cancel while the booking is cancelled",
      expired: "the driver may not cancel while the booking is expired",
    });
  });

  test("a driver's cancel frees the booking: back to requested without a driver; a cancel by another driver drops nobody", () => {
    expect(decide(at("accepted"), cancelBy("driver", "d-1"))).toEqual({
      ok: true,
      status: "requested",
      driverId: null,
      drop: { driverId: "d-1", reason: "driver-cancelled" },
    });
    expect(decide(at("accepted"), cancelBy("driver", "d-7"))).toEqual({
      ok: false,
      code: "not-assigned",
      reason: "driver d-7 is not the booking's driver",
    });
  });

  test("a driver who dropped the booking is never accepted on it again", () => {
    expect(decide(at("offered", { droppedDriverIds: ["d-2"] }), accept("d-2"))).toEqual({
      ok: false,
      code: "dropped",
      reason: "driver d-2 dropped the booking before",
    });
  });

  test("arrival deadline: drops the driver still on the way; stale once they arrived or someone else holds it", () => {
    expect(decide(at("accepted"), arrivalDue())).toMatchObject({ ok: true, status: "requested", drop: { reason: "driver-no-show" } });
    expect(decide(at("arrived"), arrivalDue())).toMatchObject({ ok: false, code: "stale-timer" });
    expect(decide(at("accepted", { driverId: "d-2" }), arrivalDue("d-1"))).toMatchObject({ ok: false, code: "stale-timer" });
    expect(decide(at("requested"), arrivalDue())).toMatchObject({ ok: false, code: "stale-timer" });
  });

  test("wait limit: an arrived booking not started is cancelled as a customer no-show, with the fee; stale otherwise", () => {
    expect(decide(at("arrived"), waitDue())).toEqual({ ok: true, status: "cancelled", driverId: "d-1", fee: "no-show" });
    expect(decide(at("started"), waitDue())).toMatchObject({ ok: false, code: "stale-timer" });
    expect(decide(at("arrived", { driverId: "d-2" }), waitDue("d-1"))).toMatchObject({ ok: false, code: "stale-timer" });
  });

  test("only the assigned driver arrives", () => {
    expect(decide(at("accepted"), arrived("d-2"))).toMatchObject({ ok: false, code: "not-assigned" });
    expect(decide(at("arrived"), arrived())).toMatchObject({ ok: false, code: "invalid-transition" });
  });

  test("reassigning applies to the round the drop started; a stale round or a booking that moved on refuses it", () => {
    const searchingAgain = at("requested", { round: 1, wave: 0 });
    expect(decide(searchingAgain, reassigning(1))).toEqual({ ok: true, status: "requested", driverId: null });
    expect(decide(searchingAgain, reassigning(2))).toMatchObject({ ok: false, code: "stale-decision" });
    expect(decide(at("cancelled", { round: 1 }), reassigning(1))).toMatchObject({ ok: false, code: "stale-decision" });
  });

  test("offers and wave timers of an earlier search round are refused", () => {
    const round1 = at("offered", { round: 1, wave: 1 });
    expect(decide(round1, { ...offered, data: { ...offered.data, wave: 2, round: 1 } } as BookingEvent).ok).toBe(true);
    expect(decide(round1, { ...offered, data: { ...offered.data, wave: 3 } } as BookingEvent)).toMatchObject({
      ok: false,
      code: "stale-offer",
    });
    expect(decide(round1, { type: "booking.wave-due", data: { bookingId, wave: 1 } })).toMatchObject({ ok: false, code: "stale-timer" });
    expect(decide(round1, { type: "booking.wave-due", data: { bookingId, wave: 1, round: 1 } }).ok).toBe(true);
  });

  test("pickup code: a code sent must match; when required one must be sent; bookings without a code start freely", () => {
    const coded = at("arrived", { pickupCode: "4821" });
    expect(decide(coded, startWith("4821"), { pickupCodeRequired: true })).toMatchObject({ ok: true, status: "started" });
    expect(decide(coded, startWith("1111"))).toEqual({
      ok: false,
      code: "pickup-code",
      reason: "the pickup code does not match the customer's",
    });
    expect(decide(coded, started, { pickupCodeRequired: true })).toEqual({
      ok: false,
      code: "pickup-code",
      reason: "the customer's pickup code is required to start",
    });
    expect(decide(coded, started).ok).toBe(true);
    expect(decide(at("arrived"), started, { pickupCodeRequired: true }).ok).toBe(true);
  });

  test("after a drop: reassign while within the limits, else expire with the reason", () => {
    const limits = { maxReassignments: 2, windowMs: 600_000 };
    const t0 = "2026-11-01T08:00:00.000Z";
    expect(afterDrop(1, t0, "2026-11-01T08:05:00.000Z", limits)).toEqual({ kind: "reassign", round: 1 });
    expect(afterDrop(2, t0, "2026-11-01T08:05:00.000Z", limits)).toEqual({ kind: "reassign", round: 2 });
    expect(afterDrop(3, t0, "2026-11-01T08:05:00.000Z", limits)).toEqual({ kind: "expire", reason: "reassign-limit" });
    expect(afterDrop(1, t0, "2026-11-01T08:10:00.001Z", limits)).toEqual({ kind: "expire", reason: "reassign-timeout" });
  });

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
    for (const e of [offered, accept("d-1"), started, completed, cancelled, expired, waveDue(1), acceptRejected, arrived(), reassigning(1)])
      expect(decide(null, e)).toMatchObject({ ok: false, code: "unknown-booking" });
  });
});
