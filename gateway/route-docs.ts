import type { RouteDoc } from "./openapi/route-doc.ts";
import { bookingDoc } from "./routes/booking.ts";
import { bookingActionDocs } from "./routes/booking-actions.ts";
import { bookingStreamDoc } from "./routes/booking-stream.ts";
import { bookingsDoc } from "./routes/bookings.ts";
import { bookingsListDoc } from "./routes/bookings-list.ts";
import { customerBookingsDoc } from "./routes/customer-bookings.ts";
import { customerOrdersDoc } from "./routes/customer-orders.ts";
import { driverDoc } from "./routes/driver.ts";
import { driverLocationsDoc } from "./routes/driver-locations.ts";
import { driverOffersDoc } from "./routes/driver-offers.ts";
import { driverStatusDoc } from "./routes/driver-status.ts";
import { driverTrailDoc } from "./routes/driver-trail.ts";
import { driverTripDoc } from "./routes/driver-trip.ts";
import { driversNearbyDoc } from "./routes/drivers-nearby.ts";
import { healthDocs } from "./routes/health.ts";
import { metricsDoc } from "./routes/metrics.ts";
import { openApiDoc } from "./routes/openapi.ts";
import { deadLetterDocs } from "./routes/operator-dead-letters.ts";
import { operatorDriversDoc } from "./routes/operator-drivers.ts";
import { operatorFlowDoc } from "./routes/operator-flow.ts";
import { orderDoc } from "./routes/order.ts";
import { orderCancelDoc } from "./routes/order-cancel.ts";
import { ordersDoc } from "./routes/orders.ts";
import { pageDocs } from "./routes/pages.ts";
import { surgeDoc } from "./routes/surge.ts";

/**
 * Every route's description, in the order the document lists them. A new route exports
 * its RouteDoc (gateway/openapi/route-doc.ts) from its own file and is added here;
 * gateway/openapi/openapi.test.ts fails for a route the app registers without one.
 */
export const ROUTE_DOCS: readonly RouteDoc[] = [
  driverLocationsDoc,
  driverStatusDoc,
  driversNearbyDoc,
  driverDoc,
  driverTrailDoc,
  driverOffersDoc,
  driverTripDoc,
  bookingsDoc,
  bookingDoc,
  bookingStreamDoc,
  ...bookingActionDocs,
  bookingsListDoc,
  customerBookingsDoc,
  surgeDoc,
  ordersDoc,
  orderDoc,
  orderCancelDoc,
  customerOrdersDoc,
  ...healthDocs,
  operatorDriversDoc,
  operatorFlowDoc,
  ...deadLetterDocs,
  metricsDoc,
  openApiDoc,
  ...pageDocs,
];
