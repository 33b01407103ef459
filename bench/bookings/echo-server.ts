/**
 * The ceiling for POST /v1/bookings: Hono + JSON + valibot with the gateway's booking
 * body schema, the same booking id and fare computation and the same 202 body, but no
 * idempotency store and no publishing. The gap to the real route is what durability
 * costs. `PORT=… bun bench/bookings/echo-server.ts`.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { estimateFare } from "../../shared/booking/fare.ts";
import { bookingIdForRequest } from "../../shared/booking/ids.ts";
import { CustomerIdSchema, PlaceSchema } from "../../shared/events/booking.ts";
import { VehicleTypeSchema } from "../../shared/events/driver.ts";

/** A copy of the route's (unexported) schema: keep it in step with gateway/routes/bookings.ts. */
const BookingRequestSchema = v.strictObject({
  customerId: CustomerIdSchema,
  pickup: PlaceSchema,
  dropoff: PlaceSchema,
  vehicleType: VehicleTypeSchema,
});

export function createBookingEchoApp(): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.post("/v1/bookings", async (c) => {
    const key = c.req.header("idempotency-key");
    const body = v.safeParse(BookingRequestSchema, await c.req.json());
    if (!key || !body.success) return c.json({ title: "invalid" }, 422);
    return c.json(
      { bookingId: bookingIdForRequest(body.output.customerId, key), status: "searching", fareEstimate: estimateFare(body.output) },
      202,
    );
  });
  return app;
}

if (import.meta.main) Bun.serve({ port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1", fetch: createBookingEchoApp().fetch });
