import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { estimateFare } from "../../shared/booking/fare.ts";
import { bookingIdForRequest, requestedEventId } from "../../shared/booking/ids.ts";
import { bookingEvents, bookings } from "../../shared/db/schema.ts";
import { BOOKING_REQUESTED } from "../../shared/events/booking.ts";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { partitionFor } from "../../shared/log/partition.ts";
import { asCustomer, asDriver, asOperator, gatewayOverEmbeddedLog, json, postWithKey } from "../testing.ts";

const body = {
  customerId: "cust-7",
  pickup: { lat: 12.9716, lng: 77.5946, address: "MG Road" },
  dropoff: { lat: 12.9352, lng: 77.6245 },
  vehicleType: "sedan",
};
const post = (b: typeof body, key: string) => postWithKey(b, key, asCustomer(b.customerId));

/** A booking row as the booking worker writes it, so the routes that read the history find it. */
const bookingRow = (bookingId: string, driverId: string) => ({
  bookingId,
  customerId: "cust-7",
  orderId: null,
  vehicleType: "sedan" as const,
  pickupLat: 12.9716,
  pickupLng: 77.5946,
  pickupAddress: "MG Road",
  dropoffLat: 12.9352,
  dropoffLng: 77.6245,
  dropoffAddress: null,
  fareAmount: 127.1,
  fareCurrency: "INR",
  status: "accepted" as const,
  driverId,
  wave: 1,
  version: 4,
  correlationId: "req-1",
  requestedAt: "2026-11-01T08:00:00.000Z",
  updatedAt: "2026-11-01T08:00:09.000Z",
});

describe("booking routes", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;
  beforeAll(async () => {
    gw = await gatewayOverEmbeddedLog();
  });
  afterAll(() => gw.close());

  test("POST /v1/bookings → 202 searching with the fare; booking.requested keyed by the deterministic booking id", async () => {
    const res = await gw.app.request("/v1/bookings", post(body, "key-1"));
    expect(res.status).toBe(202);
    const bookingId = bookingIdForRequest("cust-7", "key-1");
    const fareEstimate = estimateFare({ pickup: body.pickup, dropoff: body.dropoff, vehicleType: "sedan" });
    const answer = (await res.json()) as Record<string, unknown> & { pickupCode: string };
    expect(answer).toEqual({ bookingId, status: "searching", fareEstimate, surge: 1, pickupCode: expect.stringMatching(/^\d{4}$/) });
    expect(fareEstimate).toEqual({ amount: 132.98, currency: "INR" });

    const [r] = (await gw.published(TOPICS.bookings)).filter((x) => x.key === bookingId);
    expect(r!.partition).toBe(partitionFor(bookingId, 6));
    expect(r!.headers.type).toBe(BOOKING_REQUESTED);
    const env = parseEnvelope(r!.value);
    expect(env).toMatchObject({
      id: requestedEventId(bookingId),
      type: BOOKING_REQUESTED,
      key: bookingId,
      source: "gateway",
      correlationId: res.headers.get("x-request-id")!,
    });
    expect(env.data).toEqual({ bookingId, ...body, fareEstimate, surge: 1, pickupCode: answer.pickupCode });
  });

  test("a retry with the same key and body answers the same 202; the acked event is not published again", async () => {
    const first = await gw.app.request("/v1/bookings", post(body, "key-2"));
    // Same body, keys in another order: the same request.
    const { vehicleType, dropoff, pickup, customerId } = body;
    const again = await gw.app.request("/v1/bookings", post({ vehicleType, dropoff, pickup, customerId }, "key-2"));
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(await again.json()).toEqual(await first.json());
    const bookingId = bookingIdForRequest("cust-7", "key-2");
    const records = (await gw.published(TOPICS.bookings)).filter((x) => x.key === bookingId);
    expect(records.length).toBe(1);
  });

  test("the same key from another customer is another booking", async () => {
    const a = (await (await gw.app.request("/v1/bookings", post(body, "shared-key"))).json()) as { bookingId: string };
    const b = (await (await gw.app.request("/v1/bookings", post({ ...body, customerId: "cust-8" }, "shared-key"))).json()) as {
      bookingId: string;
    };
    expect(a.bookingId).not.toBe(b.bookingId);
  });

  test("accept, arrive, start, complete, cancel → 202 with the event id; each publishes its event keyed by the booking", async () => {
    const bookingId = bookingIdForRequest("cust-7", "key-3");
    // Start, complete and cancel check the history for the assigned driver.
    await gw.history.orm.insert(bookings).values(bookingRow(bookingId, "drv-9"));
    const calls: [string, unknown, string, Record<string, unknown>][] = [
      ["accept", {}, "booking.accepted", { bookingId, driverId: "drv-9" }],
      ["arrive", undefined, "booking.driver-arrived", { bookingId, driverId: "drv-9", detectedBy: "driver" }],
      ["start", {}, "booking.started", { bookingId }],
      ["complete", undefined, "booking.completion-requested", { bookingId }],
      [
        "cancel",
        { by: "driver", reason: "flat tyre" },
        "booking.cancelled",
        { bookingId, by: "driver", reason: "flat tyre", driverId: "drv-9" },
      ],
    ];
    for (const [action, payload, type, data] of calls) {
      const res = await gw.app.request(
        `/v1/bookings/${bookingId}/${action}`,
        payload === undefined
          ? { method: "POST", headers: asDriver("drv-9") }
          : json(payload, { method: "POST", headers: asDriver("drv-9") }),
      );
      expect(res.status).toBe(202);
      const answer = (await res.json()) as { bookingId: string; eventId: string };
      expect(answer.bookingId).toBe(bookingId);
      const r = (await gw.published(TOPICS.bookings)).find((x) => parseEnvelope(x.value).id === answer.eventId)!;
      expect(r.key).toBe(bookingId);
      expect(parseEnvelope(r.value)).toMatchObject({ type, data });
    }
  });

  test("GET /v1/bookings/:id → state, fare and the timeline from the history, refused events included (for operators: with the driver each claim was about)", async () => {
    const bookingId = bookingIdForRequest("cust-7", "key-4");
    await gw.history.orm.insert(bookings).values(bookingRow(bookingId, "drv-1"));
    const event = (eventId: string, type: string, s: number, data: object = {}, reason: string | null = null) => ({
      eventId,
      bookingId,
      type,
      occurredAt: `2026-11-01T08:00:0${s}.000Z`,
      applied: reason === null,
      reason,
      data: JSON.stringify({ bookingId, ...data }),
      recordedAt: 0,
    });
    await gw.history.orm
      .insert(bookingEvents)
      .values([
        event("e1", "booking.requested", 0),
        event("e2", "booking.offered", 1),
        event("e3", "booking.accepted", 8, { driverId: "drv-1" }),
        event("e4", "booking.accepted", 9, { driverId: "drv-2" }, "another driver accepted first"),
      ]);
    const operatorView = (await (await gw.app.request(`/v1/bookings/${bookingId}`, { headers: asOperator() })).json()) as {
      timeline: object[];
    };
    expect(operatorView.timeline.slice(2)).toEqual([
      { eventId: "e3", type: "booking.accepted", at: "2026-11-01T08:00:08.000Z", applied: true, driverId: "drv-1" },
      {
        eventId: "e4",
        type: "booking.accepted",
        at: "2026-11-01T08:00:09.000Z",
        applied: false,
        reason: "another driver accepted first",
        driverId: "drv-2",
      },
    ]);

    const res = await gw.app.request(`/v1/bookings/${bookingId}`, { headers: asCustomer("cust-7") });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      bookingId,
      status: "accepted",
      customerId: "cust-7",
      vehicleType: "sedan",
      pickup: { lat: 12.9716, lng: 77.5946, address: "MG Road" },
      dropoff: { lat: 12.9352, lng: 77.6245 },
      driverId: "drv-1",
      fareEstimate: { amount: 127.1, currency: "INR" },
      surge: 1,
      reassignments: 0,
      requestedAt: "2026-11-01T08:00:00.000Z",
      timeline: [
        { eventId: "e1", type: "booking.requested", at: "2026-11-01T08:00:00.000Z", applied: true },
        { eventId: "e2", type: "booking.offered", at: "2026-11-01T08:00:01.000Z", applied: true },
        { eventId: "e3", type: "booking.accepted", at: "2026-11-01T08:00:08.000Z", applied: true },
        // drv-2's refused claim is no business of the customer's (shared/booking/booking-view.ts).
      ],
    });
  });
});
