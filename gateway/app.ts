import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { GatewayDeps } from "./deps.ts";
import { onError } from "./http/on-error.ts";
import { problem } from "./http/problem.ts";
import { requestMetrics } from "./http/request-metrics.ts";
import { registerBookingActions } from "./routes/booking-actions.ts";
import { registerBooking } from "./routes/booking.ts";
import { registerBookings } from "./routes/bookings.ts";
import { registerDriverLocations } from "./routes/driver-locations.ts";
import { registerDriverStatus } from "./routes/driver-status.ts";
import { registerDriverTrail } from "./routes/driver-trail.ts";
import { registerDriver } from "./routes/driver.ts";
import { registerDriversNearby } from "./routes/drivers-nearby.ts";
import { registerHealth } from "./routes/health.ts";
import { registerMetrics } from "./routes/metrics.ts";
import { registerOrder } from "./routes/order.ts";
import { registerOrders } from "./routes/orders.ts";

/**
 * Builds the gateway from its dependencies. Web-standard only (no Bun APIs), so the
 * same app serves on Bun, Deno or an edge runtime; entry points own the I/O.
 */
export function createApp(deps: GatewayDeps): Hono {
  const app = new Hono();
  app.use(requestId());
  app.use(requestMetrics(deps.registry));
  registerHealth(app, deps);
  registerMetrics(app, deps);
  registerDriverLocations(app, deps);
  registerDriverStatus(app, deps);
  registerDriversNearby(app, deps);
  registerDriverTrail(app, deps);
  registerDriver(app, deps);
  registerBookings(app, deps);
  registerBookingActions(app, deps);
  registerBooking(app, deps);
  registerOrders(app, deps);
  registerOrder(app, deps);
  app.notFound((c) => problem(c, 404, { title: "Not found" }));
  app.onError(onError(deps.logger));
  return app;
}
