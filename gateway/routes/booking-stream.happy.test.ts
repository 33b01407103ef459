import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createEmbeddedTripStream } from "../../shared/trip-stream/embedded/embedded-trip-stream.ts";
import { locationBatch, statusBatch } from "../../shared/trip-stream/trip-entries.ts";
import type { TripStream } from "../../shared/trip-stream/trip-stream.ts";
import { readSse } from "../../tests/support/read-sse.ts";
import { until } from "../../tests/support/until.ts";
import type { GatewayDeps } from "../deps.ts";
import { asCustomer, asDriver, asOperator, gatewayOverEmbeddedLog, insertBooking } from "../testing.ts";

type Gateway = Awaited<ReturnType<typeof gatewayOverEmbeddedLog>>;

/** A status entry as the booking worker writes it: an accept names its driver (drv-1 here), as the timeline does. */
const status = (type: string) => ({
  eventId: crypto.randomUUID(),
  type,
  at: new Date().toISOString(),
  applied: true,
  ...(type === "booking.accepted" ? { driverId: "drv-1" } : {}),
});
const fix = (recordedAt: number) => ({ lat: 12.97, lng: 77.59, heading: 90, speed: 8, recordedAt });

describe("GET /v1/bookings/{id}/stream", () => {
  let gw: Gateway;
  let bookingId: string;
  const open = async (overrides: Partial<GatewayDeps> = {}) => {
    gw = await gatewayOverEmbeddedLog({ limits: { ...limits, follow: { heartbeatMs: 60_000 } }, ...overrides });
    bookingId = await insertBooking(gw.history, { customerId: "cust-1", driverId: "drv-1" });
  };
  const limits = { maxFixAgeMs: 3_600_000, staleAfterMs: 60_000, publishTimeoutMs: 2_000 };
  const streamOf = (deps: { tripStream?: TripStream }) => deps.tripStream!;
  const follow = (headers: Record<string, string>) => gw.app.request(`/v1/bookings/${bookingId}/stream`, { headers });

  beforeEach(() => open());
  afterEach(() => gw.close());

  test("the customer gets every entry as an SSE event with its id, then the ones appended while it listens, until the final status ends it", async () => {
    const s = streamOf(gw.deps);
    const t = Date.now();
    await s.append(bookingId, [statusBatch(status("booking.requested"), false), statusBatch(status("booking.accepted"), false)]);
    const res = await follow(asCustomer("cust-1"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const reading = readSse(res, { enough: (r) => r.ended });
    await Bun.sleep(20);
    await s.append(bookingId, [locationBatch(fix(t))]);
    await s.append(bookingId, [statusBatch(status("booking.completed"), true)]);
    const got = await reading;
    expect(got.ended).toBe(true);
    expect(got.events.map((e) => e.event)).toEqual(["status", "status", "location", "status"]);
    expect(got.events.map((e) => (JSON.parse(e.data) as { type?: string }).type ?? "")).toEqual([
      "booking.requested",
      "booking.accepted",
      "",
      "booking.completed",
    ]);
    expect(JSON.parse(got.events[2]!.data)).toEqual({
      lat: 12.97,
      lng: 77.59,
      heading: 90,
      speed: 8,
      recordedAt: new Date(t).toISOString(),
    });
    const stored = (await s.read(bookingId, { limit: 10 })).entries.map((e) => e.id);
    expect(got.events.map((e) => e.id)).toEqual(stored);
  });

  test("Last-Event-ID resumes after that id with nothing repeated; after the end, a reconnect is told to stop (204)", async () => {
    const s = streamOf(gw.deps);
    await s.append(bookingId, [statusBatch(status("booking.requested"), false), statusBatch(status("booking.accepted"), false)]);
    const first = await readSse(await follow(asCustomer("cust-1")), { enough: (r) => r.events.length === 2 });
    await s.append(bookingId, [locationBatch(fix(Date.now())), statusBatch(status("booking.cancelled"), true)]);
    const again = await readSse(await follow({ ...asCustomer("cust-1"), "last-event-id": first.events[1]!.id! }), {
      enough: (r) => r.ended,
    });
    expect(again.events.map((e) => e.event)).toEqual(["location", "status"]);
    const res = await follow({ ...asCustomer("cust-1"), "last-event-id": again.events[1]!.id! });
    expect(res.status).toBe(204);
  });

  test("the assigned driver, operators and an order's customer (for a truck) may follow; a finished booking whose stream expired answers 204", async () => {
    const s = streamOf(gw.deps);
    await s.append(bookingId, [statusBatch(status("booking.accepted"), false)]);
    for (const who of [asDriver("drv-1"), asOperator()]) {
      const got = await readSse(await follow(who), { enough: (r) => r.events.length === 1 });
      expect(got.events[0]!.event).toBe("status");
    }
    // One truck of an order is a booking like any other: its order's customer follows it.
    const truck = await insertBooking(gw.history, { customerId: "cust-1", orderId: crypto.randomUUID(), driverId: "drv-2" });
    await s.append(truck, [statusBatch(status("booking.accepted"), false)]);
    const followed = await readSse(await gw.app.request(`/v1/bookings/${truck}/stream`, { headers: asCustomer("cust-1") }), {
      enough: (r) => r.events.length === 1,
    });
    expect(followed.events[0]!.event).toBe("status");
    const done = await insertBooking(gw.history, { customerId: "cust-1", status: "completed" });
    expect((await gw.app.request(`/v1/bookings/${done}/stream`, { headers: asCustomer("cust-1") })).status).toBe(204);
  });

  test("status entries are shaped per caller as the timeline is: no other driver's claim, no claim's driver but for operators", async () => {
    const s = streamOf(gw.deps);
    const claim = (type: string, driverId: string) => ({ ...status(type), driverId });
    await s.append(bookingId, [
      statusBatch(status("booking.requested"), false),
      statusBatch(claim("booking.accepted", "drv-1"), false),
      statusBatch(claim("booking.accept-rejected", "drv-9"), false),
    ]);
    const read = async (who: Record<string, string>) =>
      (await readSse(await follow(who), { enough: (r) => r.events.length >= 3, timeoutMs: 1_000 })).events.map((e) => JSON.parse(e.data));
    const customer = await read(asCustomer("cust-1"));
    expect(customer.map((e) => e.type)).toEqual(["booking.requested", "booking.accepted"]);
    expect(customer[1]).not.toHaveProperty("driverId");
    const operator = await read(asOperator());
    expect(operator.map((e) => e.driverId)).toEqual([undefined, "drv-1", "drv-9"]);
  });

  test("a comment line keeps an idle stream alive", async () => {
    await gw.close();
    await open({ limits: { ...limits, follow: { heartbeatMs: 30 } } });
    const got = await readSse(await follow(asCustomer("cust-1")), { enough: (r) => r.comments.length >= 2 });
    expect(got.comments.slice(0, 2)).toEqual(["keep-alive", "keep-alive"]);
    expect(got.events).toEqual([]);
  });

  test("a client that stops reading is cut off, not buffered for; it resumes where it was with Last-Event-ID", async () => {
    await gw.close();
    await open({ limits: { ...limits, follow: { heartbeatMs: 60_000, slowClientMs: 100, readBatch: 10 } } });
    const s = streamOf(gw.deps);
    const t = Date.now();
    const stalled = await follow(asCustomer("cust-1"));
    for (let i = 0; i < 50; i++) await s.append(bookingId, [locationBatch(fix(t + i * 1_000))]);
    await until(
      () => gw.deps.registry.getSingleMetric("fleet_trip_stream_cut_off_total")?.get(),
      (m) => (m?.values[0]?.value ?? 0) === 1,
      "the stalled client to be cut off",
    );
    const partial = await readSse(stalled, { enough: (r) => r.ended, timeoutMs: 5_000 });
    expect(partial.ended).toBe(true);
    expect(partial.events.length).toBeLessThan(50);
    const after = partial.events.at(-1)?.id;
    const rest = await readSse(await follow({ ...asCustomer("cust-1"), ...(after ? { "last-event-id": after } : {}) }), {
      enough: (r) => partial.events.length + r.events.length >= 50,
    });
    const ats = [...partial.events, ...rest.events].map((e) => (JSON.parse(e.data) as { recordedAt: string }).recordedAt);
    expect(ats).toEqual(Array.from({ length: 50 }, (_, i) => new Date(t + i * 1_000).toISOString()));
  });

  test("a client resuming from before what the stream still keeps is told the older entries were trimmed", async () => {
    await gw.close();
    await open({ tripStream: createEmbeddedTripStream({ maxEntries: 3 }) });
    const s = streamOf(gw.deps);
    await s.append(bookingId, [statusBatch(status("booking.requested"), false)]);
    const [first] = (await s.read(bookingId, { limit: 1 })).entries;
    for (let i = 0; i < 4; i++) await s.append(bookingId, [locationBatch(fix(Date.now() + i * 1_000))]);
    const got = await readSse(await follow({ ...asCustomer("cust-1"), "last-event-id": first!.id }), {
      enough: (r) => r.events.length === 4,
    });
    expect(got.events.map((e) => e.event)).toEqual(["truncated", "location", "location", "location"]);
    expect(got.events[0]!.id).toBeUndefined();
  });
});
