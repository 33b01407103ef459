import type { OrderDetails } from "../../shared/order/order-query.ts";
import type { Principal } from "./principal.ts";

/**
 * Who may see (and cancel) an order: its customer and operators. Another customer is
 * told it does not exist (404, never 403), so order ids cannot be probed; drivers see
 * their trucks as bookings and are refused by role before any lookup.
 */
export function canSeeOrder(p: Principal, o: Pick<OrderDetails, "customerId">): boolean {
  return p.role === "operator" || (p.role === "customer" && o.customerId === p.sub);
}
