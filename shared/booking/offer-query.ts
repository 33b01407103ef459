import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/open-libsql.ts";
import { bookingEvents, bookingOffers, bookings } from "../db/schema.ts";
import type { Fare, Place } from "../events/booking.ts";
import type { VehicleType } from "../events/driver.ts";
import { storedPlace } from "./active-trips.ts";

/** While a booking searches, every offer it made stands: a driver of any of its waves may still accept. */
const SEARCHING = ["requested", "offered"] as const;

/** An offer a driver holds, and what it needs to decide: where, what, for how much, until when. */
export interface StandingOffer {
  bookingId: string;
  orderId?: string;
  vehicleType: VehicleType;
  pickup: Place;
  dropoff: Place;
  fareEstimate: Fare;
  wave: number;
  /** When the driver's wave runs out (ISO-8601); later waves may still let the driver accept until the search ends. */
  expiresAt: string;
}

/**
 * The offers `driverId` holds on bookings still searching, newest wave first; with
 * `bookingId`, only that booking's. Two queries: the offers with their bookings (by the
 * offers' driver index), then each wave's expiry from its applied `booking.offered`.
 */
export async function standingOffers(db: Db, driverId: string, bookingId?: string): Promise<StandingOffer[]> {
  const rows = await db.orm
    .select({ offer: bookingOffers, booking: bookings })
    .from(bookingOffers)
    .innerJoin(bookings, eq(bookings.bookingId, bookingOffers.bookingId))
    .where(
      and(
        eq(bookingOffers.driverId, driverId),
        inArray(bookings.status, [...SEARCHING]),
        bookingId === undefined ? undefined : eq(bookingOffers.bookingId, bookingId),
      ),
    );
  if (rows.length === 0) return [];
  const offered = await db.orm
    .select({ bookingId: bookingEvents.bookingId, data: bookingEvents.data })
    .from(bookingEvents)
    .where(
      and(
        inArray(
          bookingEvents.bookingId,
          rows.map((r) => r.booking.bookingId),
        ),
        eq(bookingEvents.type, "booking.offered"),
        eq(bookingEvents.applied, true),
      ),
    );
  const expiry = new Map(
    offered.map((e) => {
      const d = JSON.parse(e.data) as { wave: number; expiresAt: string };
      return [`${e.bookingId}/${d.wave}`, d.expiresAt];
    }),
  );
  return rows
    .map(({ offer, booking: b }) => ({
      bookingId: b.bookingId,
      ...(b.orderId === null ? {} : { orderId: b.orderId }),
      vehicleType: b.vehicleType,
      pickup: storedPlace(b.pickupLat, b.pickupLng, b.pickupAddress),
      dropoff: storedPlace(b.dropoffLat, b.dropoffLng, b.dropoffAddress),
      fareEstimate: { amount: b.fareAmount, currency: b.fareCurrency },
      wave: offer.wave,
      expiresAt: expiry.get(`${b.bookingId}/${offer.wave}`) ?? new Date(offer.offeredAt).toISOString(),
    }))
    .sort((a, b) => b.expiresAt.localeCompare(a.expiresAt));
}
