import { expect, test } from "bun:test";
import { ValidationError } from "../../shared/errors/errors.ts";
import { BOOKING_CANCELLED } from "../../shared/events/booking.ts";
import { createEnvelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { outgoingRecord } from "./outgoing-record.ts";

const bookingId = "0f8fad5b-d9cb-469f-a165-70867728950e";
const cancel = (data: object, key = bookingId) =>
  createEnvelope({ type: BOOKING_CANCELLED, key, data: { bookingId, ...data }, source: "gateway" });

test("a record its consumer accepts is built with the envelope's key, value and headers", () => {
  const e = cancel({ by: "customer" });
  const r = outgoingRecord(TOPICS.bookings, e);
  expect(r).toMatchObject({ topic: TOPICS.bookings, key: bookingId, headers: { "event-id": e.id, type: BOOKING_CANCELLED } });
  expect(JSON.parse(r.value)).toEqual(e);
});

test("data the consumer refuses is the client's: ValidationError 422 naming the field", () => {
  const run = () => outgoingRecord(TOPICS.bookings, cancel({ by: "customer", reason: "a\u0000b" }));
  expect(run).toThrow(ValidationError);
  try {
    run();
  } catch (err) {
    expect((err as ValidationError).status).toBe(422);
    expect((err as ValidationError).issues.map((i) => i.field)).toEqual(["reason"]);
  }
});

test("an envelope the consumer refuses is the gateway's bug: a plain error (500), never a 4xx or a publish", () => {
  for (const [why, topic, e] of [
    ["keyed by another booking", TOPICS.bookings, cancel({ by: "customer" }, "another-key")],
    ["on the wrong topic", TOPICS.orders, cancel({ by: "customer" })],
    ["an unknown type", TOPICS.bookings, { ...cancel({ by: "customer" }), type: "booking.teleported" }],
    ["a correlation id too long", TOPICS.bookings, { ...cancel({ by: "customer" }), correlationId: "c".repeat(129) }],
    ["an unreadable time", TOPICS.bookings, { ...cancel({ by: "customer" }), occurredAt: "2026-05-01T09:39:35+05" }],
  ] as const) {
    let thrown: unknown;
    try {
      outgoingRecord(topic, e);
    } catch (err) {
      thrown = err;
    }
    expect(thrown, why).toBeInstanceOf(Error);
    expect(thrown, why).not.toBeInstanceOf(ValidationError);
  }
});
