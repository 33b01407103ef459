import type { Registry } from "prom-client";
import type { ActiveTrip } from "../shared/booking/active-trips.ts";
import type { BookingSummary, BookingsQuery, CustomerBookingsQuery, ListPage } from "../shared/booking/booking-list.ts";
import type { BookingDetails } from "../shared/booking/booking-query.ts";
import type { DriverCounters } from "../shared/booking/driver-counters.ts";
import type { StandingOffer } from "../shared/booking/offer-query.ts";
import type { EtaEstimator } from "../shared/eta/eta-estimator.ts";
import type { GeoIndex } from "../shared/geo/geo-index.ts";
import type { FixCheckSettings } from "../shared/geo/plausibility.ts";
import type { TrailPage, TrailQuery } from "../shared/history/trail-query.ts";
import type { Publisher } from "../shared/log/event-log.ts";
import type { Logger } from "../shared/logging/logger.ts";
import type { CustomerOrdersQuery, OrderSummary } from "../shared/order/order-list.ts";
import type { OrderDetails } from "../shared/order/order-query.ts";
import type { TripStream } from "../shared/trip-stream/trip-stream.ts";
import type { AuthSettings } from "./auth/auth-settings.ts";
import type { IdempotencyStore } from "./idempotency/idempotency-store.ts";
import type { OperatorViews } from "./operator/operator-views.ts";
import type { SurgeQuotes } from "./pricing/surge-quote.ts";
import type { RateLimits } from "./ratelimit/rate-limiter.ts";
import type { AssetSource } from "./static/static-assets.ts";
import type { FollowSettings } from "./streams/follow-trip.ts";

/** A dependency the gateway needs to serve: rejects (with a reason) when it is not ready. */
export type ReadinessCheck = () => Promise<void>;

/** Everything the HTTP app needs; built by an entry point (gateway/main.ts, dev.ts, tests). */
export interface GatewayDeps {
  publisher: Publisher;
  registry: Registry;
  logger: Logger;
  readiness: Record<string, ReadinessCheck>;
  limits: GatewayLimits;
  /** Read path only: nearby search and driver state (and, for operators, every driver). */
  geo: Pick<GeoIndex, "nearby" | "get" | "listDrivers">;
  /** Reads the stored trail (history database; the gateway never writes it). */
  trail: (q: TrailQuery) => Promise<TrailPage>;
  /** Remembers requests that carried an Idempotency-Key (the gateway's own database, never the workers'). */
  idempotency: IdempotencyStore;
  /** Reads a booking and its timeline (history database, like `trail`); null when the booking worker has not seen it. */
  booking: (bookingId: string) => Promise<BookingDetails | null>;
  /** Reads an order and its trucks (history database); null until the order worker has seen it. */
  order: (orderId: string) => Promise<OrderDetails | null>;
  /** The offers a driver holds on bookings still searching (with `bookingId`, that booking's only). */
  offers: (driverId: string, bookingId?: string) => Promise<StandingOffer[]>;
  /** The booking a driver is on (accepted or started), or null. */
  trip: (driverId: string) => Promise<ActiveTrip | null>;
  /** A customer's bookings and orders, newest first, a page at a time; operators' list of bookings by status and age. */
  customerBookings: (q: CustomerBookingsQuery) => Promise<ListPage<BookingSummary>>;
  customerOrders: (q: CustomerOrdersQuery) => Promise<ListPage<OrderSummary>>;
  bookings: (q: BookingsQuery) => Promise<ListPage<BookingSummary>>;
  /** Bookings' live streams, written by the workers; absent: GET /v1/bookings/{id}/stream answers 503. */
  tripStream?: TripStream;
  /** ETAs shown to offered drivers and on trips (shared/eta/; straight-line by default). */
  eta: EtaEstimator;
  /** How bearer tokens are verified (every route but /healthz and /readyz needs one). */
  auth: AuthSettings;
  /** Per-driver and per-customer request budgets. */
  rateLimits: RateLimits;
  /** Browser origins allowed by CORS; empty → no CORS headers at all. */
  corsOrigins: string[];
  /** The pages at /docs and /console and the files they load (gateway/static/). */
  assets: AssetSource;
  /** The log's state for the operator routes: flow over time, dead letters (gateway/operator/). */
  operator: OperatorViews;
  /** Surge quotes, the pickup-code rule and drivers' counters (the trip after the accept). */
  trips: TripDeps;
}

export interface TripDeps {
  surge: SurgeQuotes;
  /** PICKUP_CODE_REQUIRED: `start` must carry the customer's pickup code. */
  pickupCodeRequired: boolean;
  /** What counts against a driver (history database): for operators on GET /v1/drivers/{id}. */
  driverCounters: (driverId: string) => Promise<DriverCounters>;
}

export interface GatewayLimits {
  /** Fixes older than this are refused: phones buffer offline, but not for ever. */
  maxFixAgeMs: number;
  /** A driver silent longer than this never appears in nearby search. */
  staleAfterMs: number;
  /** What flags a fix on its own (shared/geo/plausibility.ts); absent: DEFAULT_FIX_CHECKS. */
  fixChecks?: FixCheckSettings;
  /** Longest a fix or status request waits for the log's ack before 503 + Retry-After (events/publish-event.ts). */
  publishTimeoutMs: number;
  /** Trip streams' heartbeat, slow-client cut-off and read size; absent: DEFAULT_FOLLOW (streams/follow-trip.ts). */
  follow?: Partial<FollowSettings>;
}
