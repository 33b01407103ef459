import type { ActiveTrip } from "../../shared/booking/active-trips.ts";
import { geofenceArrivalEventId } from "../../shared/booking/ids.ts";
import { BOOKING_DRIVER_ARRIVED, type BookingDriverArrived } from "../../shared/events/booking.ts";
import { createEnvelope, envelopeHeaders } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import { haversineM } from "../../shared/geo/haversine.ts";
import type { TrailPoint } from "../../shared/history/downsample.ts";
import type { OutgoingRecord } from "../../shared/log/event-log.ts";

/** A plausible fix within this of the pickup marks the assigned driver arrived (ARRIVAL_RADIUS_M): a few car lengths past GPS error. */
export const DEFAULT_ARRIVAL_RADIUS_M = 100;

const SOURCE = "location-worker";

/**
 * The per-trip pickup geofence: for each driver on an accepted booking (from the
 * bookings table, shared/booking/active-trips.ts), the first plausible fix of the batch
 * within `radiusM` of the pickup is a `booking.driver-arrived` (detectedBy: geofence),
 * dated by that fix. Its id is derived from (booking, driver), so every batch that sees
 * the driver inside before the booking worker applied the arrival publishes the same
 * event again, and it applies once: one arrival per trip. Implausible fixes (flagged)
 * never count: a spoofed position must not start the customer's wait.
 */
export function geofenceArrivals(
  byDriver: ReadonlyMap<string, readonly TrailPoint[]>,
  trips: ReadonlyMap<string, ActiveTrip>,
  radiusM: number,
): OutgoingRecord[] {
  const out: OutgoingRecord[] = [];
  for (const [driverId, trip] of trips) {
    if (trip.status !== "accepted") continue;
    const inside = byDriver
      .get(driverId)
      ?.find((f) => f.flags.length === 0 && haversineM(f.lat, f.lng, trip.pickup.lat, trip.pickup.lng) <= radiusM);
    if (!inside) continue;
    const data: BookingDriverArrived = { bookingId: trip.bookingId, driverId, detectedBy: "geofence" };
    const e = createEnvelope({
      id: geofenceArrivalEventId(trip.bookingId, driverId),
      type: BOOKING_DRIVER_ARRIVED,
      key: trip.bookingId,
      data,
      source: SOURCE,
      occurredAt: new Date(inside.recordedAt),
    });
    out.push({ topic: TOPICS.bookings, key: trip.bookingId, value: JSON.stringify(e), headers: envelopeHeaders(e) });
  }
  return out;
}
