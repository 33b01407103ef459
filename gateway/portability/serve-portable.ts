import { Registry } from "prom-client";
import { createEmbeddedGeoIndex } from "../../shared/geo/embedded/embedded-geo.ts";
import type { OutgoingRecord } from "../../shared/log/event-log.ts";
import { createLogger } from "../../shared/logging/logger.ts";
import { createEmbeddedSurgeStore } from "../../shared/surge/embedded/embedded-surge-store.ts";
import { createApp } from "../app.ts";
import { testSecurity } from "../auth/testing-auth.ts";
import { DEFAULT_PUBLISH_TIMEOUT_MS } from "../events/publish-event.ts";
import { createMemoryIdempotencyStore } from "../idempotency/memory-idempotency-store.ts";

/**
 * The gateway app built only from web-standard and portable pieces, for `deno serve`
 * (and any fetch-handler runtime): the check that createApp itself uses no Bun API.
 * Published records are kept in memory and exposed at /__published, because the point
 * here is the HTTP app, not a broker client; one driver is seeded for nearby search.
 * Tokens are checked against the tests' fixed secret (gateway/auth/testing-auth.ts).
 */
const published: OutgoingRecord[] = [];
const geo = createEmbeddedGeoIndex();
const now = Date.now();
await geo.setStatus([{ driverId: "seeded", status: "available", vehicleType: "sedan", changedAt: now }]);
await geo.upsertPositions([{ driverId: "seeded", lat: 52.52, lng: 13.405, recordedAt: now }]);

const app = createApp({
  publisher: { publish: async (records) => void published.push(...records), close: async () => {} },
  registry: new Registry(),
  logger: createLogger({ level: "error", write: () => {} }),
  readiness: {},
  limits: { maxFixAgeMs: 3_600_000, staleAfterMs: 3_600_000, publishTimeoutMs: DEFAULT_PUBLISH_TIMEOUT_MS },
  geo,
  trail: async () => ({ points: [], nextCursor: null }),
  idempotency: createMemoryIdempotencyStore(),
  booking: async () => null,
  order: async () => null,
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
