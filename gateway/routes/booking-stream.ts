import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { Counter, Gauge } from "prom-client";
import { isFinalStatus } from "../../shared/booking/final-statuses.ts";
import { ValidationError } from "../../shared/errors/errors.ts";
import { BookingIdSchema } from "../../shared/events/booking.ts";
import { isEntryId } from "../../shared/trip-stream/trip-stream.ts";
import { canSeeBooking } from "../auth/booking-access.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";
import { entryAsSeenBy } from "../streams/entry-view.ts";
import { DEFAULT_FOLLOW, followTrip } from "../streams/follow-trip.ts";

const LAST_EVENT_ID = "Last-Event-ID";

/**
 * GET /v1/bookings/{bookingId}/stream: the booking live, as Server-Sent Events, for its
 * customer, its assigned driver and operators (anyone else: 404, as for the booking).
 * Events, each with an `id:`: `status` (every applied booking event, as its timeline
 * entry, shaped for the caller as GET /v1/bookings/{id} shapes it: entry-view.ts), `location` (the assigned driver's newest plausible fix, from the accept on, at
 * most one a second) and `eta` (to the pickup, then to the drop-off). The workers write
 * the stream to the store (shared/trip-stream/), so a client that reconnects with
 * Last-Event-ID, to this gateway or another, gets every event after that id and none
 * twice. A comment every 15 s; the response ends after a final status, and a client
 * reconnecting after the end is answered 204 (EventSource's "stop"). A client that
 * cannot keep up is cut off (gateway/streams/follow-trip.ts) and resumes when it can.
 */
export function registerBookingStream(
  app: Hono,
  deps: Pick<GatewayDeps, "booking" | "tripStream" | "limits" | "logger" | "registry">,
): void {
  const open = new Gauge({ name: "fleet_trip_streams_open", help: "SSE trip streams being served", registers: [deps.registry] });
  const sent = new Counter({
    name: "fleet_trip_stream_events_total",
    help: "SSE events written to trip stream clients, by kind",
    labelNames: ["kind"],
    registers: [deps.registry],
  });
  const cut = new Counter({
    name: "fleet_trip_stream_cut_off_total",
    help: "Trip stream clients cut off for not keeping up",
    registers: [deps.registry],
  });
  const settings = { ...DEFAULT_FOLLOW, ...deps.limits.follow };

  app.get("/v1/bookings/:bookingId/stream", async (c) => {
    const bookingId = readParam(c.req.param("bookingId"), BookingIdSchema, "bookingId");
    const lastEventId = c.req.header(LAST_EVENT_ID);
    if (lastEventId !== undefined && !isEntryId(lastEventId))
      throw new ValidationError(`${LAST_EVENT_ID} is invalid`, [{ field: LAST_EVENT_ID, message: "must be an id this stream sent" }], 400);
    const booking = await deps.booking(bookingId);
    const caller = principalOf(c);
    if (!booking || !canSeeBooking(caller, booking))
      return problem(c, 404, {
        title: "Booking not found",
        detail: `no booking ${bookingId} has been processed (a booking just requested appears within moments)`,
      });
    const tripStream = deps.tripStream;
    if (!tripStream)
      return problem(c, 503, { title: "Live trip streams are not available", detail: "this gateway has no stream store (REDIS_URL)" });
    const first = await tripStream.read(bookingId, { after: lastEventId, limit: 1 });
    // Nothing more will come: the client saw the end, or the stream of a finished booking expired.
    if (first.ended && first.entries.length === 0) return c.body(null, 204);
    if (first.entries.length === 0 && lastEventId === undefined && isFinalStatus(booking.status)) return c.body(null, 204);
    return streamSSE(c, async (sse) => {
      open.inc();
      try {
        await followTrip(sse, { stream: tripStream, bookingId, after: lastEventId }, settings, {
          logger: deps.logger,
          view: (entry) => entryAsSeenBy(caller, booking, entry),
          onEntry: (kind) => sent.inc({ kind }),
          onCutOff: () => cut.inc(),
        });
      } finally {
        open.dec();
      }
    });
  });
}
