import { expect, test } from "bun:test";
import type { TimelineEntry } from "./booking-query.ts";
import { timelineEntryAsSeenBy, WITHHELD_REASON } from "./booking-view.ts";

const at = "2026-11-01T08:00:00.000Z";
const entry = (type: string, reason?: string, driverId?: string): TimelineEntry => ({
  eventId: "e",
  type,
  at,
  applied: reason === undefined,
  ...(reason === undefined ? {} : { reason }),
  ...(driverId === undefined ? {} : { driverId }),
});
const customer = { role: "customer", sub: "c-1" } as const;
const assigned = { role: "driver", sub: "d-1" } as const;
const operator = { role: "operator", sub: "ops" } as const;
const booking = { driverId: "d-1" };

test("a reason naming a booking id or a driver is withheld from customers and drivers, kept for operators", () => {
  for (const reason of ["held by booking 0f8fad5b-d9cb-469f-a165-70867728950e", "driver d-9 was not offered the booking"]) {
    const e = entry("booking.cancelled", reason);
    expect(timelineEntryAsSeenBy(customer, booking, e)?.reason).toBe(WITHHELD_REASON);
    expect(timelineEntryAsSeenBy(assigned, booking, e)?.reason).toBe(WITHHELD_REASON);
    expect(timelineEntryAsSeenBy(operator, booking, e)).toEqual(e);
  }
  const plain = entry("booking.completed", "booking.completed is not allowed while the booking is accepted");
  expect(timelineEntryAsSeenBy(customer, booking, plain)).toEqual(plain);
});

test("claims: the winning accept is shown without its driverId, others' claims are left out, a driver keeps its own", () => {
  expect(timelineEntryAsSeenBy(customer, booking, entry("booking.accepted", undefined, "d-1"))).toEqual(entry("booking.accepted"));
  expect(timelineEntryAsSeenBy(customer, booking, entry("booking.accepted", "another driver accepted first", "d-2"))).toBeUndefined();
  expect(timelineEntryAsSeenBy(customer, booking, entry("booking.accept-rejected", undefined, "d-2"))).toBeUndefined();
  const mine = entry("booking.accepted", "another driver accepted first", "d-2");
  expect(timelineEntryAsSeenBy({ role: "driver", sub: "d-2" }, booking, mine)?.reason).toBe("another driver accepted first");
  expect(timelineEntryAsSeenBy(assigned, booking, mine)).toBeUndefined();
});
