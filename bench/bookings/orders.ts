import { authAs, benchClient } from "../bench-client.ts";
import { ORDER_VEHICLE, pointInMetro, seededRandom } from "./metro.ts";
import type { OfferWatch } from "./offer-watch.ts";
import { epochMs } from "./quantiles.ts";

export type OrderFigures =
  | { measured: false; reason: string }
  | {
      measured: true;
      orders: number;
      trucks: number;
      /** 202 latency per order, ms. */
      acceptMs: number[];
      /** Order sent → the last of its bookings' first offers seen, ms; NaN for an order not fully offered in time. */
      fullyOfferedMs: number[];
      notFullyOffered: number;
    };

/**
 * The 50-truck order: POST /v1/orders (README, HTTP API) asking for `trucks` trucks of one type,
 * then the time until every booking it created has its first offer wave in the log.
 * The route is being built in parallel: when the gateway answers 404 the figure is
 * reported as not measured, never estimated from single bookings.
 */
export async function measureOrders(opts: {
  baseUrl: string;
  runId: string;
  orders: number;
  trucks: number;
  watch: OfferWatch;
  waitMs: number;
}): Promise<OrderFigures> {
  const rand = seededRandom(99);
  const client = benchClient(opts.baseUrl);
  const acceptMs: number[] = [];
  const fullyOfferedMs: number[] = [];
  let notFullyOffered = 0;
  for (let i = 0; i < opts.orders; i++) {
    const customerId = `shipper-${opts.runId}-${i}`;
    const body = {
      customerId,
      pickup: pointInMetro(rand),
      dropoff: pointInMetro(rand),
      trucks: [{ vehicleType: ORDER_VEHICLE, quantity: opts.trucks }],
    };
    const sentAt = epochMs();
    const { response, data, error } = await client.POST("/v1/orders", {
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
      headers: authAs("customer", customerId),
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!data) return { measured: false, reason: `POST /v1/orders answered ${response.status}: ${JSON.stringify(error).slice(0, 200)}` };
    acceptMs.push(epochMs() - sentAt);
    const { bookingIds } = data;
    if (bookingIds.length !== opts.trucks)
      return { measured: false, reason: `POST /v1/orders answered ${bookingIds.length} bookingIds, not ${opts.trucks}` };
    const done = await opts.watch.waitFor(bookingIds, opts.waitMs);
    if (done) fullyOfferedMs.push(Math.max(...bookingIds.map((id) => opts.watch.offers.get(id)!.seenAt)) - sentAt);
    else {
      fullyOfferedMs.push(NaN);
      notFullyOffered++;
    }
  }
  return { measured: true, orders: opts.orders, trucks: opts.trucks, acceptMs, fullyOfferedMs, notFullyOffered };
}
