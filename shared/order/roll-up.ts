import type { BookingStatus } from "../booking/state-machine.ts";

/**
 * How an order stands, rolled up from its bookings (one per truck):
 *
 *   truck:  requested | offered → searching;  accepted | arrived → assigned;
 *           started → in-progress;  completed → completed;  cancelled → cancelled;
 *           expired → expired
 *   order:  every truck cancelled                      → cancelled
 *           some truck searching, none assigned        → searching
 *           some truck searching, some assigned        → partially-assigned
 *           nothing searching, some truck expired      → expired (the trucks that did get
 *                                                        a driver still go ahead)
 *           nothing searching, none expired            → fulfilled: every truck the customer
 *                                                        still wants is assigned, in progress
 *                                                        or completed
 *
 * A truck whose driver drops out (cancels after accepting, never arrives) is searching
 * again (its booking goes back to `requested`, shared/booking/state-machine.ts): the
 * order is not fulfilled until another driver accepts it. Only the customer's side
 * cancels a truck (a cancel, a no-show at the pickup); those trucks are left out.
 *
 * "assigned" in the counts covers assigned, in-progress and completed trucks: a driver
 * took each of them.
 */

export const TRUCK_STATUSES = ["searching", "assigned", "in-progress", "completed", "cancelled", "expired"] as const;
export type TruckStatus = (typeof TRUCK_STATUSES)[number];

export const ORDER_STATUSES = ["searching", "partially-assigned", "fulfilled", "expired", "cancelled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderCounts {
  total: number;
  searching: number;
  assigned: number;
  cancelled: number;
  expired: number;
}

const TRUCK_OF: Record<BookingStatus, TruckStatus> = {
  requested: "searching",
  offered: "searching",
  accepted: "assigned",
  arrived: "assigned",
  started: "in-progress",
  completed: "completed",
  cancelled: "cancelled",
  expired: "expired",
};

export function truckStatusOf(booking: BookingStatus): TruckStatus {
  return TRUCK_OF[booking];
}

export function countTrucks(statuses: readonly TruckStatus[]): OrderCounts {
  const c: OrderCounts = { total: statuses.length, searching: 0, assigned: 0, cancelled: 0, expired: 0 };
  for (const s of statuses) {
    if (s === "searching" || s === "cancelled" || s === "expired") c[s]++;
    else c.assigned++;
  }
  return c;
}

export function orderStatusOf(c: OrderCounts): OrderStatus {
  if (c.cancelled === c.total) return "cancelled";
  if (c.searching > 0) return c.assigned > 0 ? "partially-assigned" : "searching";
  return c.expired > 0 ? "expired" : "fulfilled";
}
