/**
 * The booking load generator, in its own process like a fleet of customer apps:
 *   bun bench/bookings/load-client.ts '<BookingLoadPlan as JSON>'
 * Every request is a distinct customer with its own Idempotency-Key booking a ride from
 * a random pickup to a random dropoff in the metro. Prints one JSON line: the result.
 */
import { authAs, benchClient } from "../bench-client.ts";
import { openLoop } from "../open-loop.ts";
import type { BookingLoadPlan, BookingLoadResult, SentBooking } from "./load-plan.ts";
import { BOOKING_VEHICLES, pointInMetro, seededRandom } from "./metro.ts";
import { epochMs, quantiles } from "./quantiles.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
/** A request pending this long is a failure, not a latency: bounds the run whatever the server does. */
const REQUEST_TIMEOUT_MS = 10_000;

interface Window {
  sent: number;
  latencies: number[];
  failures: Record<string, number>;
  bookings: SentBooking[];
}

export async function runBookingLoad(plan: BookingLoadPlan): Promise<BookingLoadResult> {
  if (!LOOPBACK.has(new URL(plan.baseUrl).hostname)) throw new Error(`load client only targets loopback, not ${plan.baseUrl}`);
  const rand = seededRandom(plan.seed);
  const client = benchClient(plan.baseUrl);
  let n = 0;
  let win: Window = newWindow();

  /** Sends booking n; `since` is when it should have been sent (performance.now()), which latency counts from. */
  const send = async (since: number) => {
    const i = n++;
    const customerId = `cust-${plan.label}-${i}`;
    const body = {
      customerId,
      pickup: pointInMetro(rand),
      dropoff: pointInMetro(rand),
      vehicleType: BOOKING_VEHICLES[Math.floor(rand() * BOOKING_VEHICLES.length)]!,
    };
    const w = win;
    w.sent++;
    const sentAt = epochMs();
    try {
      const { response, data } = await client.POST("/v1/bookings", {
        params: { header: { "Idempotency-Key": crypto.randomUUID() } },
        headers: authAs("customer", customerId),
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (response.status === 202 && data?.bookingId) {
        w.latencies.push(performance.now() - since);
        w.bookings.push([data.bookingId, sentAt]);
      } else w.failures[response.status] = (w.failures[response.status] ?? 0) + 1;
    } catch (err) {
      const name = err instanceof Error ? err.name : "error";
      w.failures[name] = (w.failures[name] ?? 0) + 1;
    }
  };

  const drive = plan.mode === "open" ? openLoopOf : closedLoop;
  await drive(plan, plan.warmupS, send, () => win);
  win = newWindow();
  const started = performance.now();
  await drive(plan, plan.seconds, send, () => win);
  const seconds = (performance.now() - started) / 1000;
  return {
    label: plan.label,
    mode: plan.mode,
    seconds,
    sent: win.sent,
    accepted: win.bookings.length,
    perSecond: win.latencies.length / seconds,
    latency: quantiles(win.latencies),
    failures: win.failures,
    bookings: win.bookings,
  };
}

function newWindow(): Window {
  return { sent: 0, latencies: [], failures: {}, bookings: [] };
}

async function openLoopOf(plan: BookingLoadPlan, seconds: number, send: (since: number) => Promise<void>, w: () => Window): Promise<void> {
  const { unsent } = await openLoop({ rate: plan.rate, seconds, maxInFlight: plan.maxInFlight, send: (_n, due) => send(due) });
  // Due when the window ended and never sent: the server could not keep up.
  if (unsent > 0) w().failures["not sent: behind schedule"] = unsent;
}

/** `connections` clients, each sending the next booking as soon as its last one answered. */
async function closedLoop(plan: BookingLoadPlan, seconds: number, send: (since: number) => Promise<void>, _w: () => Window): Promise<void> {
  const until = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < until) await send(performance.now());
  };
  await Promise.all(Array.from({ length: plan.connections }, client));
}

if (import.meta.main) {
  const plan = JSON.parse(process.argv[2] ?? "") as BookingLoadPlan;
  process.stdout.write(`${JSON.stringify(await runBookingLoad(plan))}\n`);
}
