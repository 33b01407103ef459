import { and, asc, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../db/open-libsql.ts";
import { decodeCursor, encodeCursor, pastKey } from "../db/page-cursor.ts";
import { bookings } from "../db/schema.ts";
import { type BookingDetails, bookingBasics } from "./booking-query.ts";
import type { BookingStatus } from "./state-machine.ts";

/** A booking in a list: its state, without the timeline (GET /v1/bookings/{id} has it). */
export type BookingSummary = Pick<
  BookingDetails,
  "bookingId" | "status" | "customerId" | "orderId" | "vehicleType" | "pickup" | "dropoff" | "driverId" | "fareEstimate" | "requestedAt"
> & { updatedAt: string };

export interface ListPage<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

export interface CustomerBookingsQuery {
  customerId: string;
  status?: BookingStatus;
  limit: number;
  cursor?: string;
}

export interface BookingsQuery {
  status?: BookingStatus;
  /** Only bookings last changed before this instant (ISO-8601): the stuck ones. */
  updatedBefore?: string;
  limit: number;
  cursor?: string;
}

type Row = typeof bookings.$inferSelect;

/** A stored booking as the API shows it (GET /v1/bookings/{id} adds the timeline). */
export function bookingSummary(b: Row): BookingSummary {
  return {
    ...bookingBasics(b),
    requestedAt: b.requestedAt,
    updatedAt: b.updatedAt,
  };
}

/** A customer's bookings, newest request first (the customer index), optionally of one status. */
export async function listCustomerBookings(db: Db, q: CustomerBookingsQuery): Promise<ListPage<BookingSummary>> {
  const list = `bookings:${q.customerId}:${q.status ?? ""}`;
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, list);
  const rows = await db.orm
    .select()
    .from(bookings)
    .where(
      and(
        eq(bookings.customerId, q.customerId),
        q.status === undefined ? undefined : eq(bookings.status, q.status),
        pastKey(bookings.requestedAt, bookings.bookingId, after, "desc"),
      ),
    )
    .orderBy(desc(bookings.requestedAt), desc(bookings.bookingId))
    .limit(q.limit + 1);
  return page(rows, q.limit, (b) => encodeCursor(list, { at: b.requestedAt, id: b.bookingId }));
}

/** Bookings for operators, least recently changed first (the status index), by status and last change. */
export async function listBookings(db: Db, q: BookingsQuery): Promise<ListPage<BookingSummary>> {
  const list = `bookings:*:${q.status ?? ""}:${q.updatedBefore ?? ""}`;
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, list);
  const rows = await db.orm
    .select()
    .from(bookings)
    .where(
      and(
        q.status === undefined ? undefined : eq(bookings.status, q.status),
        q.updatedBefore === undefined ? undefined : lt(bookings.updatedAt, q.updatedBefore),
        pastKey(bookings.updatedAt, bookings.bookingId, after, "asc"),
      ),
    )
    .orderBy(asc(bookings.updatedAt), asc(bookings.bookingId))
    .limit(q.limit + 1);
  return page(rows, q.limit, (b) => encodeCursor(list, { at: b.updatedAt, id: b.bookingId }));
}

function page(rows: Row[], limit: number, cursorOf: (last: Row) => string): ListPage<BookingSummary> {
  const kept = rows.slice(0, limit);
  return { items: kept.map(bookingSummary), nextCursor: rows.length > limit ? cursorOf(kept.at(-1)!) : null };
}
