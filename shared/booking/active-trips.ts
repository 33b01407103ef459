import { and, inArray } from "drizzle-orm";
import type { Orm } from "../db/open-libsql.ts";
import { bookings } from "../db/schema.ts";
import type { Place } from "../events/booking.ts";
import type { VehicleType } from "../events/driver.ts";
import type { BookingStatus } from "./state-machine.ts";

/** A driver holds a trip from the accept until it completes, is cancelled, or the driver drops it (state-machine.ts). */
export const TRIP_STATUSES: readonly BookingStatus[] = ["accepted", "arrived", "started"];

/** The booking a driver is on, as the booking worker last stored it. */
export interface ActiveTrip {
  bookingId: string;
  driverId: string;
  customerId: string;
  orderId: string | null;
  status: BookingStatus;
  vehicleType: VehicleType;
  pickup: Place;
  dropoff: Place;
}

const CHUNK = 500;

/**
 * For each of `driverIds` on a trip: that trip. Read from the bookings table, which the
 * booking worker keeps (so it follows the log, replays included); one indexed query per
 * 500 drivers, so the location worker can ask once per batch which of its drivers are
 * being followed by a customer or approaching a pickup.
 */
export async function activeTripsOf(orm: Orm, driverIds: readonly string[]): Promise<Map<string, ActiveTrip>> {
  const out = new Map<string, ActiveTrip>();
  for (let i = 0; i < driverIds.length; i += CHUNK) {
    const rows = await orm
      .select()
      .from(bookings)
      .where(and(inArray(bookings.driverId, driverIds.slice(i, i + CHUNK)), inArray(bookings.status, [...TRIP_STATUSES])));
    for (const b of rows) {
      out.set(b.driverId!, {
        bookingId: b.bookingId,
        driverId: b.driverId!,
        customerId: b.customerId,
        orderId: b.orderId,
        status: b.status,
        vehicleType: b.vehicleType,
        pickup: storedPlace(b.pickupLat, b.pickupLng, b.pickupAddress),
        dropoff: storedPlace(b.dropoffLat, b.dropoffLng, b.dropoffAddress),
      });
    }
  }
  return out;
}

/** A place as the bookings table stores it (a null address is left out). */
export function storedPlace(lat: number, lng: number, address: string | null): Place {
  return address === null ? { lat, lng } : { lat, lng, address };
}
