import type { BookingDetails, TimelineEntry } from "../../shared/booking/booking-query.ts";
import { timelineEntryAsSeenBy, type Viewer } from "../../shared/booking/booking-view.ts";
import type { TripEntry } from "../../shared/trip-stream/trip-stream.ts";

/**
 * What `viewer` may read of a stream entry, as SSE data; undefined to leave it out.
 * Status entries are timeline entries and go through timelineEntryAsSeenBy, the one
 * place that decides what each caller reads of a booking's events. The stream shows them
 * as they happen: an applied accept is the winning one at that moment, so its driver
 * counts as the assigned one (GET /v1/bookings/{id}, read later, judges by the driver
 * assigned then). Positions and ETAs are the assigned driver's, which every caller who
 * may follow the booking may read.
 */
export function entryAsSeenBy(viewer: Viewer, booking: Pick<BookingDetails, "driverId">, entry: TripEntry): string | undefined {
  if (entry.kind !== "status" || viewer.role === "operator") return entry.data;
  const e = JSON.parse(entry.data) as TimelineEntry;
  const assigned = e.type === "booking.accepted" && e.applied ? { driverId: e.driverId } : booking;
  const seen = timelineEntryAsSeenBy(viewer, assigned, e);
  return seen && JSON.stringify(seen);
}
