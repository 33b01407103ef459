import { afterEach, describe, expect, test } from "bun:test";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import type { Publisher } from "../../shared/log/event-log.ts";
import { asDriver, gatewayOverEmbeddedLog, json } from "../testing.ts";

const BOOKING = "0f8fad5b-d9cb-469f-a165-70867728950e";
const down: Publisher = { publish: async () => Promise.reject(new Error("broker down (test)")), close: async () => {} };

describe("booking actions through the gateway's outbox", () => {
  let gw: Awaited<ReturnType<typeof gatewayOverEmbeddedLog>> | undefined;
  afterEach(async () => void (await gw?.close()));

  const accept = (headers: Record<string, string> = {}) =>
    gw!.app.request(`/v1/bookings/${BOOKING}/accept`, json({}, { method: "POST", headers: { ...asDriver("drv-1"), ...headers } }));

  test("with the broker down an accept is still a 202: its event waits in the outbox, nothing reached the log", async () => {
    gw = await gatewayOverEmbeddedLog({ publisher: down });
    const res = await accept();
    expect(res.status).toBe(202);
    const { eventId } = (await res.json()) as { eventId: string };
    const [pending] = await gw.idempotency.outbox.pending(10, Date.now());
    expect(parseEnvelope(pending!.record.value)).toMatchObject({
      id: eventId,
      type: "booking.accepted",
      key: BOOKING,
      data: { bookingId: BOOKING, driverId: "drv-1" },
    });
    expect(await gw.published(TOPICS.bookings)).toEqual([]);
  });

  test("a retry with the same Idempotency-Key answers the first event and publishes nothing new; the key reused for another booking is a 422", async () => {
    gw = await gatewayOverEmbeddedLog();
    const first = await accept({ "idempotency-key": "accept-1" });
    const again = await accept({ "idempotency-key": "accept-1" });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as { eventId: string }).eventId).toBe(((await first.json()) as { eventId: string }).eventId);
    const otherBooking = await gw.app.request(
      `/v1/bookings/${crypto.randomUUID()}/accept`,
      json({}, { method: "POST", headers: { ...asDriver("drv-1"), "idempotency-key": "accept-1" } }),
    );
    expect(otherBooking.status).toBe(422);
    expect(await gw.published(TOPICS.bookings)).toHaveLength(1);
  });

  test("without a key each request is its own event", async () => {
    gw = await gatewayOverEmbeddedLog();
    const ids = await Promise.all([accept(), accept()].map(async (r) => ((await (await r).json()) as { eventId: string }).eventId));
    expect(new Set(ids).size).toBe(2);
    expect(await gw.published(TOPICS.bookings)).toHaveLength(2);
  });
});
