import { and, desc, eq } from "drizzle-orm";
import { storedPlace } from "../booking/active-trips.ts";
import type { ListPage } from "../booking/booking-list.ts";
import type { Db } from "../db/open-libsql.ts";
import { decodeCursor, encodeCursor, pastKey } from "../db/page-cursor.ts";
import { orders } from "../db/schema.ts";
import type { Place } from "../events/booking.ts";
import type { OrderStatus } from "./roll-up.ts";

/** An order in a list: its rolled-up state, without the trucks (GET /v1/orders/{id} has them). */
export interface OrderSummary {
  orderId: string;
  status: OrderStatus;
  customerId: string;
  truckCount: number;
  pickup: Place;
  dropoff: Place;
  createdAt: string;
  updatedAt: string;
}

export interface CustomerOrdersQuery {
  customerId: string;
  status?: OrderStatus;
  limit: number;
  cursor?: string;
}

/** A customer's orders, newest first (the customer index), optionally of one status. */
export async function listCustomerOrders(db: Db, q: CustomerOrdersQuery): Promise<ListPage<OrderSummary>> {
  const list = `orders:${q.customerId}:${q.status ?? ""}`;
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, list);
  const rows = await db.orm
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.customerId, q.customerId),
        q.status === undefined ? undefined : eq(orders.status, q.status),
        pastKey(orders.createdAt, orders.orderId, after, "desc"),
      ),
    )
    .orderBy(desc(orders.createdAt), desc(orders.orderId))
    .limit(q.limit + 1);
  const kept = rows.slice(0, q.limit);
  const items = kept.map((o) => ({
    orderId: o.orderId,
    status: o.status,
    customerId: o.customerId,
    truckCount: o.truckCount,
    pickup: storedPlace(o.pickupLat, o.pickupLng, o.pickupAddress),
    dropoff: storedPlace(o.dropoffLat, o.dropoffLng, o.dropoffAddress),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  }));
  const last = kept.at(-1);
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(list, { at: last.createdAt, id: last.orderId }) : null };
}
