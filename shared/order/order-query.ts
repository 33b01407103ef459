import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/open-libsql.ts";
import { orders, orderTrucks } from "../db/schema.ts";
import type { VehicleType } from "../events/driver.ts";
import { countTrucks, type OrderCounts, type OrderStatus, type TruckStatus } from "./roll-up.ts";

export interface OrderTruckDetails {
  bookingId: string;
  vehicleType: VehicleType;
  status: TruckStatus;
  driverId?: string;
}

export interface OrderDetails {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  /** One per truck, in the order's line order (the bookings' index). */
  trucks: OrderTruckDetails[];
  counts: OrderCounts;
  createdAt: string;
  updatedAt: string;
}

/**
 * An order and its trucks as the workers last wrote them; null until the order worker
 * applied its `order.created`. Reads only (the gateway opens the history read-only by
 * convention, as for bookings).
 */
export async function readOrder(db: Db, orderId: string): Promise<OrderDetails | null> {
  // One batch is one transaction: the order's status and its trucks are read as of the same commit, never across a roll-up.
  const [[o], rows] = await db.orm.batch([
    db.orm.select().from(orders).where(eq(orders.orderId, orderId)),
    db.orm.select().from(orderTrucks).where(eq(orderTrucks.orderId, orderId)).orderBy(asc(orderTrucks.truckIndex)),
  ]);
  if (!o) return null;
  const trucks = rows.map((t) => ({
    bookingId: t.bookingId,
    vehicleType: t.vehicleType,
    status: t.status,
    ...(t.driverId === null ? {} : { driverId: t.driverId }),
  }));
  return {
    orderId,
    customerId: o.customerId,
    status: o.status,
    trucks,
    counts: countTrucks(trucks.map((t) => t.status)),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}
