import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bookingIdForRequest } from "../../shared/booking/ids.ts";
import { type BookingSnapshot, decide } from "../../shared/booking/state-machine.ts";
import { bookingEvents, bookings } from "../../shared/db/schema.ts";
import { asCustomer, asDriver, asOperator, gatewayOverEmbeddedLog } from "../testing.ts";

/*
 * Issue 10, item 2: a booking's timeline as its customer reads it names no other booking
 * and no driver but the one assigned; operators still see every refusal in full. The
 * refusal reasons are the state machine's own (decide()), as the booking worker stores them.
 */

const bookingId = bookingIdForRequest("cust-t", "k-timeline");
const otherBooking = bookingIdForRequest("cust-other", "k-other");
const offered: BookingSnapshot = {
  status: "offered",
  driverId: null,
  wave: 1,
  round: 0,
  offeredDriverIds: ["drv-win", "drv-busy", "drv-late"],
  droppedDriverIds: [],
  pickupCode: null,
};
const accepted: BookingSnapshot = { ...offered, status: "accepted", driverId: "drv-win" };
const refusal = (s: BookingSnapshot, driverId: string, holds: string | null = null) => {
  const v = decide(s, { type: "booking.accepted", data: { bookingId, driverId } }, { driverHolds: holds });
  if (v.ok) throw new Error("expected a refusal");
  return v.reason;
};

describe("a booking's timeline, as each caller reads it", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
    await gw.history.orm.insert(bookings).values({
      bookingId,
      customerId: "cust-t",
      orderId: null,
      vehicleType: "sedan",
      pickupLat: 12.97,
      pickupLng: 77.59,
      pickupAddress: null,
      dropoffLat: 12.93,
      dropoffLng: 77.62,
      dropoffAddress: null,
      fareAmount: 100,
      fareCurrency: "INR",
      status: "accepted",
      driverId: "drv-win",
      wave: 1,
      version: 5,
      correlationId: "r",
      requestedAt: "2026-11-01T08:00:00.000Z",
      updatedAt: "2026-11-01T08:00:05.000Z",
    });
    const row = (n: number, type: string, data: object, reason: string | null) => ({
      eventId: `00000000-0000-7000-8000-00000000000${n}`,
      bookingId,
      type,
      occurredAt: `2026-11-01T08:00:0${n}.000Z`,
      applied: reason === null,
      reason,
      data: JSON.stringify({ bookingId, ...data }),
      recordedAt: 0,
    });
    await gw.history.orm
      .insert(bookingEvents)
      .values([
        row(1, "booking.requested", { customerId: "cust-t" }, null),
        row(2, "booking.offered", { wave: 1, driverIds: ["drv-win", "drv-busy", "drv-late"] }, null),
        row(3, "booking.accepted", { driverId: "drv-busy" }, refusal(offered, "drv-busy", otherBooking)),
        row(4, "booking.accepted", { driverId: "drv-stranger" }, refusal(offered, "drv-stranger")),
        row(5, "booking.accepted", { driverId: "drv-win" }, null),
        row(6, "booking.accepted", { driverId: "drv-late" }, refusal(accepted, "drv-late")),
        row(7, "booking.accept-rejected", { driverId: "drv-late", reason: "taken" }, null),
        row(8, "booking.started", {}, "booking.started is not allowed while the booking is offered"),
      ]);
  });
  afterAll(() => gw.close());

  const read = async (headers: Record<string, string>) => {
    const res = await gw.app.request(`/v1/bookings/${bookingId}`, { headers });
    expect(res.status).toBe(200);
    return {
      text: await res.clone().text(),
      body: (await res.json()) as { timeline: { type: string; applied: boolean; reason?: string }[] },
    };
  };

  test("the customer's timeline names no other booking and no driver but the assigned one", async () => {
    const { text, body } = await read(asCustomer("cust-t"));
    expect(text).not.toContain(otherBooking);
    for (const d of ["drv-busy", "drv-stranger", "drv-late"]) expect(text).not.toContain(d);
    // What the customer needs stays: requested, offered, the accept that won, their own refused action and its reason.
    expect(body.timeline.map((e) => [e.type, e.applied])).toEqual([
      ["booking.requested", true],
      ["booking.offered", true],
      ["booking.accepted", true],
      ["booking.started", false],
    ]);
    expect(body.timeline.at(-1)!.reason).toBe("booking.started is not allowed while the booking is offered");
  });

  test("the assigned driver sees its own claim, not the other drivers' attempts", async () => {
    const { text } = await read(asDriver("drv-win"));
    expect(text).not.toContain(otherBooking);
    for (const d of ["drv-busy", "drv-stranger", "drv-late"]) expect(text).not.toContain(d);
  });

  test("operators still see every refusal and which driver it was about", async () => {
    const { text, body } = await read(asOperator());
    expect(body.timeline).toHaveLength(8);
    expect(text).toContain(otherBooking);
    for (const d of ["drv-busy", "drv-stranger", "drv-late"]) expect(text).toContain(d);
  });
});
