import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { Counter, Gauge } from "prom-client";
import { isFinalStatus } from "../../shared/booking/final-statuses.ts";
import { BookingIdSchema } from "../../shared/events/booking.ts";
import { canSeeBooking } from "../auth/booking-access.ts";
import { principalOf } from "../auth/principal.ts";
import type { GatewayDeps } from "../deps.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";
import { describeRoute } from "../openapi/route-doc.ts";
import { entryAsSeenBy } from "../streams/entry-view.ts";
import { DEFAULT_FOLLOW, followTrip } from "../streams/follow-trip.ts";
import { EntryIdSchema, TripStreamMessageSchema } from "../streams/trip-stream-events.ts";

const LAST_EVENT_ID = "Last-Event-ID";

export const bookingStreamDoc = describeRoute({
  method: "get",
  path: "/v1/bookings/:bookingId/stream",
  operationId: "followBooking",
  tag: "Bookings",
  summary: "The booking live, as Server-Sent Events",
  description: [
    "For its customer, its assigned driver and operators; a ride or one truck of an order. Events, each with an `id:`:",
    "- `status`: every applied booking event, as its timeline entry (shaped for the caller as in GET /v1/bookings/{bookingId});",
    "- `location`: from the accept until the trip ends, the assigned driver's newest plausible fix, at most one a second;",
    "- `eta`: to the pickup until the trip starts, then to the drop-off, with the model used;",
    "- `truncated` (no id): the client resumed from before the oldest entry the stream keeps.",
    "",
    "A new connection gets the stream from its start. Reconnecting with `Last-Event-ID`, to this gateway or any other, continues after that event without a gap or a duplicate. A `: keep-alive` comment every 15 s; the response ends after a final status (completed, cancelled, expired), and a reconnect after the end is answered 204 (EventSource's stop). A client that does not keep up is cut off and resumes with its Last-Event-ID.",
    "",
    "The schema of the 200 describes each message (its `event`, `id` and `data` parsed as JSON), as OpenAPI 3.2's `itemSchema` would.",
  ].join("\n"),
  access: ["customer", "driver", "operator"],
  params: { bookingId: BookingIdSchema },
  headers: {
    [LAST_EVENT_ID]: {
      required: false,
      schema: EntryIdSchema,
      description: "The id of the last event the client saw: the stream continues after it (EventSource sends it on a reconnect).",
    },
  },
  responses: {
    200: { description: "The stream of events", contentType: "text/event-stream", schema: TripStreamMessageSchema },
    204: { description: "The stream ended before or at Last-Event-ID (or the finished booking's stream expired): nothing more will come" },
  },
  problems: {
    404: "no booking of the caller's with this id has been processed yet (a booking just requested appears within moments)",
    503: "this gateway has no stream store (REDIS_URL is not set)",
  },
});

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

  app.get(bookingStreamDoc.path, async (c) => {
    const bookingId = readParam(c.req.param("bookingId"), BookingIdSchema, "bookingId");
    const header = c.req.header(LAST_EVENT_ID);
    const lastEventId = header === undefined ? undefined : readParam(header, EntryIdSchema, LAST_EVENT_ID);
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
