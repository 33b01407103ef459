import { bookingIdForOrderTruck } from "../booking/ids.ts";
import type { VehicleType } from "../events/driver.ts";
import type { TruckLine } from "../events/order.ts";

export interface OrderTruck {
  /** 0-based, counting through the lines in order: line 1's trucks first. */
  index: number;
  vehicleType: VehicleType;
  bookingId: string;
}

/**
 * The order's trucks one by one, each with its deterministic booking id: the gateway
 * answers these ids at once and the order worker books exactly these, so both agree
 * without talking to each other.
 */
export function expandTrucks(orderId: string, lines: readonly TruckLine[]): OrderTruck[] {
  const out: OrderTruck[] = [];
  for (const line of lines) {
    for (let i = 0; i < line.quantity; i++) {
      const index = out.length;
      out.push({ index, vehicleType: line.vehicleType, bookingId: bookingIdForOrderTruck(orderId, index) });
    }
  }
  return out;
}
