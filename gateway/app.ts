import { Hono } from "hono";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { MAX_CORRELATION_ID_LENGTH } from "../shared/events/envelope.ts";
import { authenticate } from "./auth/authenticate.ts";
import { allow } from "./auth/authorize.ts";
import type { GatewayDeps } from "./deps.ts";
import { limitBody } from "./http/body-limit.ts";
import { onError } from "./http/on-error.ts";
import { problem } from "./http/problem.ts";
import { requestMetrics } from "./http/request-metrics.ts";
import { apiDocument } from "./openapi/api-document.ts";
import { rateLimit } from "./ratelimit/rate-limit.ts";
import { registerBooking } from "./routes/booking.ts";
import { registerBookingActions } from "./routes/booking-actions.ts";
import { registerBookingStream } from "./routes/booking-stream.ts";
import { registerBookings } from "./routes/bookings.ts";
import { registerBookingsList } from "./routes/bookings-list.ts";
import { registerCustomerBookings } from "./routes/customer-bookings.ts";
import { registerCustomerOrders } from "./routes/customer-orders.ts";
import { registerDriver } from "./routes/driver.ts";
import { registerDriverLocations } from "./routes/driver-locations.ts";
import { registerDriverOffers } from "./routes/driver-offers.ts";
import { registerDriverStatus } from "./routes/driver-status.ts";
import { registerDriverTrail } from "./routes/driver-trail.ts";
import { registerDriverTrip } from "./routes/driver-trip.ts";
import { registerDriversNearby } from "./routes/drivers-nearby.ts";
import { registerHealth } from "./routes/health.ts";
import { registerMetrics } from "./routes/metrics.ts";
import { registerOpenApi } from "./routes/openapi.ts";
import { registerOperatorDeadLetters } from "./routes/operator-dead-letters.ts";
import { registerOperatorDrivers } from "./routes/operator-drivers.ts";
import { registerOperatorFlow } from "./routes/operator-flow.ts";
import { registerOrder } from "./routes/order.ts";
import { registerOrderCancel } from "./routes/order-cancel.ts";
import { registerOrders } from "./routes/orders.ts";
import { registerPages } from "./routes/pages.ts";
import { registerSurge } from "./routes/surge.ts";

/**
 * How long a server may leave a connection silent, seconds: above the trip streams'
 * 15 s heartbeat (Bun.serve's default of 10 s would cut every quiet stream).
 */
export const IDLE_TIMEOUT_S = 30;

/** The largest body any route takes (a batch of fixes); every request is cut off there. */
export const MAX_REQUEST_BODY_BYTES = 256 * 1024;

/**
 * Builds the gateway from its dependencies. Web-standard only (no Bun APIs), so the
 * same app serves on Bun, Deno or an edge runtime; entry points own the I/O.
 *
 * Only /healthz, /readyz (its details need an operator token), /openapi.json and the pages
 * (/docs, /console and their /assets) are public; none of them holds data. Everything under /v1 needs a bearer token and
 * counts against the caller's rate limit; each route then says which roles may call it
 * and as whom (gateway/auth/). /metrics is for operators.
 */
export function createApp(deps: GatewayDeps): Hono {
  const app = new Hono();
  // First, so a browser's preflight is answered before auth asks it for a token it never sends.
  if (deps.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: deps.corsOrigins,
        allowHeaders: ["authorization", "content-type", "idempotency-key"],
        exposeHeaders: ["retry-after", "x-request-id", "idempotent-replayed"],
        maxAge: 600,
      }),
    );
  }
  // A client's X-Request-Id becomes every event's correlation id: one the envelope cannot carry (longer, or
  // other than letters, digits, _ - =) is replaced by a generated one, named in the answer's X-Request-Id.
  app.use(requestId({ limitLength: MAX_CORRELATION_ID_LENGTH }));
  app.use(requestMetrics(deps.registry));
  app.use(limitBody(MAX_REQUEST_BODY_BYTES));
  const authenticated = authenticate(deps.auth);
  app.use("/v1/*", authenticated, rateLimit(deps.rateLimits, deps));
  app.use("/metrics", authenticated, allow("operator"));
  // A load balancer probes /readyz without a token; a sent token is verified, and an operator's unlocks the details.
  app.use("/readyz", (c, next) => (c.req.header("authorization") === undefined ? next() : authenticated(c, next)));
  registerHealth(app, deps);
  registerMetrics(app, deps);
  registerDriverLocations(app, deps);
  registerDriverStatus(app, deps);
  registerDriversNearby(app, deps);
  registerDriverTrail(app, deps);
  registerDriver(app, deps);
  registerDriverOffers(app, deps);
  registerDriverTrip(app, deps);
  registerBookings(app, deps);
  registerBookingsList(app, deps);
  registerBookingActions(app, deps);
  registerBooking(app, deps);
  registerBookingStream(app, deps);
  registerSurge(app, deps);
  registerOrders(app, deps);
  registerOrder(app, deps);
  registerOrderCancel(app, deps);
  registerCustomerBookings(app, deps);
  registerCustomerOrders(app, deps);
  registerOperatorDrivers(app, deps);
  registerOperatorFlow(app, deps);
  registerOperatorDeadLetters(app, deps);
  registerOpenApi(app, apiDocument);
  registerPages(app, deps);
  app.notFound((c) => problem(c, 404, { title: "Not found" }));
  app.onError(onError(deps.logger));
  return app;
}
