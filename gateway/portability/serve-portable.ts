import { Registry } from "prom-client";
import type { BookingDetails } from "../../shared/booking/booking-query.ts";
import { createStraightLineEta } from "../../shared/eta/straight-line-eta.ts";
import { createEmbeddedGeoIndex } from "../../shared/geo/embedded/embedded-geo.ts";
import type { OutgoingRecord } from "../../shared/log/event-log.ts";
import { createLogger } from "../../shared/logging/logger.ts";
import { createEmbeddedSurgeStore } from "../../shared/surge/embedded/embedded-surge-store.ts";
import { createEmbeddedTripStream } from "../../shared/trip-stream/embedded/embedded-trip-stream.ts";
import { locationBatch, statusBatch } from "../../shared/trip-stream/trip-entries.ts";
import { createApp } from "../app.ts";
import { testSecurity } from "../auth/testing-auth.ts";
import { DEFAULT_PUBLISH_TIMEOUT_MS } from "../events/publish-event.ts";
import { createMemoryIdempotencyStore } from "../idempotency/memory-idempotency-store.ts";

/**
 * The gateway app built only from web-standard and portable pieces, for `deno serve`
 * (and any fetch-handler runtime): the check that createApp itself uses no Bun API.
 * Published records are kept in memory and exposed at /__published, because the point
 * here is the HTTP app, not a broker client; one driver is seeded for nearby search, and
 * one finished trip's stream (in process) for the SSE route.
 * Tokens are checked against the tests' fixed secret (gateway/auth/testing-auth.ts).
 */
const published: OutgoingRecord[] = [];
const geo = createEmbeddedGeoIndex();
const now = Date.now();
await geo.setStatus([{ driverId: "seeded", status: "available", vehicleType: "sedan", changedAt: now }]);
await geo.upsertPositions([{ driverId: "seeded", lat: 52.52, lng: 13.405, recordedAt: now }]);

// One finished trip of customer c-deno, its stream written as the workers would.
const SEEDED_BOOKING = "5f0c3c55-55d4-4c3e-9a51-3b1f1b7f0d11";
const tripStream = createEmbeddedTripStream();
const seededBooking: BookingDetails = {
  bookingId: SEEDED_BOOKING,
  status: "completed",
  customerId: "c-deno",
  vehicleType: "sedan",
  pickup: { lat: 52.52, lng: 13.405 },
  dropoff: { lat: 52.5, lng: 13.42 },
  driverId: "seeded",
  fareEstimate: { amount: 120, currency: "INR" },
  surge: 1,
  reassignments: 0,
  requestedAt: new Date(now).toISOString(),
  timeline: [],
};
const status = (type: string) => ({
  eventId: crypto.randomUUID(),
  type,
  at: new Date(now).toISOString(),
  applied: true,
  ...(type === "booking.accepted" ? { driverId: "seeded" } : {}),
});
await tripStream.append(SEEDED_BOOKING, [
  statusBatch(status("booking.requested"), false),
  statusBatch(status("booking.accepted"), false),
  locationBatch({ lat: 52.52, lng: 13.405, heading: null, speed: null, recordedAt: now }),
  statusBatch(status("booking.completed"), true),
]);

const app = createApp({
  publisher: { publish: async (records) => void published.push(...records), close: async () => {} },
  registry: new Registry(),
  logger: createLogger({ level: "error", write: () => {} }),
  readiness: {},
  limits: { maxFixAgeMs: 3_600_000, staleAfterMs: 3_600_000, publishTimeoutMs: DEFAULT_PUBLISH_TIMEOUT_MS },
  geo,
  trail: async () => ({ points: [], nextCursor: null }),
  idempotency: createMemoryIdempotencyStore(),
  booking: async (id) => (id === SEEDED_BOOKING ? seededBooking : null),
  order: async () => null,
  offers: async () => [],
  trip: async () => null,
  customerBookings: async () => ({ items: [], nextCursor: null }),
  customerOrders: async () => ({ items: [], nextCursor: null }),
  bookings: async () => ({ items: [], nextCursor: null }),
  tripStream,
  eta: createStraightLineEta(),
  // No file system here: /docs and /console answer 404 (bun's entry points serve them).
  assets: async () => undefined,
  // Nothing here is ever dead-lettered, and there is no log to sample.
  operator: {
    flow: () => ({ intervalMs: 5000, points: [] }),
    deadLetters: {
      count: async (topics) => Object.fromEntries(topics.map((t) => [t, 0])),
      list: async () => [],
      find: async () => undefined,
      redrive: async () => ({ read: 0, matched: [], redriven: 0 }),
    },
  },
  ...testSecurity(),
  trips: {
    surge: { store: createEmbeddedSurgeStore(), floor: 1, windowS: 600 },
    pickupCodeRequired: false,
    driverCounters: async () => ({ cancelsAfterAccept: 0, noShows: 0 }),
  },
});
app.get("/__published", (c) => c.json(published.map((r) => ({ topic: r.topic, key: r.key }))));

export default { fetch: app.fetch };
