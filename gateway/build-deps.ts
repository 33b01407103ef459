import type { Registry } from "prom-client";
import { readDriverCounters } from "../shared/booking/driver-counters.ts";
import { DEFAULT_TRIP } from "../shared/booking/trip-settings.ts";
import type { Db } from "../shared/db/open-libsql.ts";
import type { EtaEstimator } from "../shared/eta/eta-estimator.ts";
import { CONSUMER_GROUPS } from "../shared/events/consumer-groups.ts";
import { TOPICS } from "../shared/events/topics.ts";
import type { GeoIndex } from "../shared/geo/geo-index.ts";
import type { EventLog } from "../shared/log/event-log.ts";
import type { Logger } from "../shared/logging/logger.ts";
import { DEFAULT_SURGE } from "../shared/surge/surge-formula.ts";
import type { SurgeStore } from "../shared/surge/surge-store.ts";
import type { TripStream } from "../shared/trip-stream/trip-stream.ts";
import type { AuthSettings } from "./auth/auth-settings.ts";
import type { GatewayConfig } from "./config.ts";
import type { GatewayDeps, TripDeps } from "./deps.ts";
import { consumerLagReadiness } from "./events/lag-readiness.ts";
import { timedPublisher } from "./events/timed-publisher.ts";
import { historyReads } from "./history-reads.ts";
import type { IdempotencyStore } from "./idempotency/idempotency-store.ts";
import type { FlowWindow } from "./operator/flow-sampler.ts";
import { operatorViews } from "./operator/operator-views.ts";
import { outboxReadiness } from "./outbox/outbox-readiness.ts";
import type { RateLimits } from "./ratelimit/rate-limiter.ts";
import { fileAssets } from "./static/file-assets.ts";

export interface GatewayResources {
  /** The operator console's flow over time (operator/flow-sampler.ts, started by the entry point). */
  flow: () => FlowWindow;
  log: EventLog;
  geo: GeoIndex;
  /** The history database, read only by the gateway. */
  history: Db;
  /** Over the gateway's own database (openIdempotencyStore). */
  idempotency: IdempotencyStore;
  /** The entry point's choice: configured keys (gateway/main.ts) or a generated dev secret (dev.ts). */
  auth: AuthSettings;
  rateLimits: RateLimits;
  /** The surge worker's zone states (openSurgeStore), read to quote fares. */
  surge: SurgeStore;
  /** Bookings' live streams (Redis, or the workers' own in `bun run dev`); absent without a shared store. */
  tripStream?: TripStream;
  eta: EtaEstimator;
}

/** The trip's dependencies over the history database and a surge store; defaults as the workers' (tests pass none). */
export function tripDeps(
  history: Db,
  surge: SurgeStore,
  c: Partial<Pick<GatewayConfig, "PICKUP_CODE_REQUIRED" | "SURGE_FLOOR" | "SURGE_WINDOW_S">> = {},
): TripDeps {
  return {
    surge: { store: surge, floor: c.SURGE_FLOOR ?? DEFAULT_SURGE.floor, windowS: c.SURGE_WINDOW_S ?? DEFAULT_SURGE.windowMs / 1000 },
    pickupCodeRequired: c.PICKUP_CODE_REQUIRED ?? DEFAULT_TRIP.pickupCodeRequired,
    driverCounters: (driverId) => readDriverCounters(history, driverId),
  };
}

/** Wires the gateway's dependencies from opened resources; shared by gateway/main.ts and dev.ts. */
export function buildGatewayDeps(config: GatewayConfig, r: GatewayResources, logger: Logger, registry: Registry): GatewayDeps {
  return {
    publisher: timedPublisher(r.log.publisher(), registry),
    registry,
    logger,
    geo: r.geo,
    ...historyReads(r.history),
    idempotency: r.idempotency,
    tripStream: r.tripStream,
    eta: r.eta,
    readiness: {
      eventLog: async () => void (await r.log.admin().lag("gateway-readiness", [TOPICS.driverLocations])),
      geoIndex: async () => void (await r.geo.get("readiness-probe")),
      outbox: outboxReadiness(r.idempotency.outbox),
      consumerLag: consumerLagReadiness(r.log.admin(), CONSUMER_GROUPS, config.READY_MAX_CONSUMER_LAG),
    },
    limits: {
      maxFixAgeMs: config.MAX_FIX_AGE_S * 1000,
      staleAfterMs: config.STALE_AFTER_S * 1000,
      fixChecks: { maxAccuracyM: config.MAX_ACCURACY_M, serviceArea: config.SERVICE_AREA ?? null },
      // Fix and status requests wait this long for the ack; the outbox relay awaits its publishes to the end.
      publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
    },
    auth: r.auth,
    rateLimits: r.rateLimits,
    corsOrigins: config.CORS_ORIGINS,
    assets: fileAssets(),
    operator: operatorViews(r.log, r.flow),
    trips: tripDeps(r.history, r.surge, config),
  };
}
