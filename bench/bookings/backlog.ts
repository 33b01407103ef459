import { estimateFare } from "../../shared/booking/fare.ts";
import { bookingIdForRequest, requestedEventId } from "../../shared/booking/ids.ts";
import { BOOKING_REQUESTED } from "../../shared/events/booking.ts";
import { createEnvelope, envelopeHeaders } from "../../shared/events/envelope.ts";
import { TOPICS } from "../../shared/events/topics.ts";
import type { OutgoingRecord, Publisher } from "../../shared/log/event-log.ts";
import { cpuSeconds } from "../locations/process-stats.ts";
import { BOOKING_VEHICLES, pointInMetro, seededRandom } from "./metro.ts";
import type { OfferWatch } from "./offer-watch.ts";
import { epochMs } from "./quantiles.ts";

export interface BacklogFigures {
  bookings: number;
  offered: number;
  wave1: number;
  /** Bookings whose first wave went out per second, from the 10th to the 90th percentile of the drain (steady state). */
  perSecond: number;
  /** Worker restart → last first offer, s (process start and group join included). */
  totalS: number;
  /** CPU per booking over the same 10–90 % window, µs, by process. */
  cpuUsPerBooking: Record<string, number>;
  /** The same window's CPU, % of one core, by process. */
  cpuPct: Record<string, number>;
}

/**
 * The booking worker draining a backlog: with the workers stopped, `count` bookings are
 * published into `bookings` as the gateway publishes them (same envelope and ids), then the
 * workers start again and the first offer of each is awaited. The rate is taken between
 * the 10th and 90th percentile of offers (the steady drain, not the process start or the
 * tail), with the CPU each process used in that window.
 */
export async function measureBacklogDrain(opts: {
  count: number;
  runId: string;
  publisher: Publisher;
  watch: OfferWatch;
  stopWorkers: () => Promise<void>;
  startWorkers: () => Promise<number>;
  pids: Record<string, number | undefined>;
  waitMs: number;
}): Promise<BacklogFigures> {
  await opts.stopWorkers();
  const rand = seededRandom(4242);
  const records: OutgoingRecord[] = Array.from({ length: opts.count }, (_, i) => {
    const customerId = `cust-${opts.runId}-backlog-${i}`;
    const bookingId = bookingIdForRequest(customerId, `backlog-${i}`);
    const request = {
      customerId,
      pickup: pointInMetro(rand),
      dropoff: pointInMetro(rand),
      vehicleType: BOOKING_VEHICLES[i % BOOKING_VEHICLES.length]!,
    };
    const e = createEnvelope({
      id: requestedEventId(bookingId),
      type: BOOKING_REQUESTED,
      key: bookingId,
      data: { bookingId, ...request, fareEstimate: estimateFare(request) },
      source: "gateway",
      correlationId: `backlog-${i}`,
    });
    return { topic: TOPICS.bookings, key: bookingId, value: JSON.stringify(e), headers: envelopeHeaders(e) };
  });
  for (let i = 0; i < records.length; i += 1000) await opts.publisher.publish(records.slice(i, i + 1000));
  const ids = records.map((r) => r.key);

  const started = performance.now();
  const startedAt = epochMs();
  const workers = await opts.startWorkers();
  const pids: Record<string, number | undefined> = { workers, ...opts.pids };
  const snapshot = () => ({
    at: performance.now(),
    offered: ids.reduce((n, id) => n + (opts.watch.offers.has(id) ? 1 : 0), 0),
    cpu: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? undefined : cpuSeconds(pid)])),
  });
  let from: ReturnType<typeof snapshot> | undefined;
  let to: ReturnType<typeof snapshot> | undefined;
  while (!to && performance.now() - started < opts.waitMs) {
    const s = snapshot();
    if (!from && s.offered >= opts.count * 0.1) from = s;
    if (from && s.offered >= opts.count * 0.9) to = s;
    await Bun.sleep(20);
  }
  await opts.watch.waitFor(ids, Math.max(0, opts.waitMs - (performance.now() - started)));
  const offers = ids.flatMap((id) => opts.watch.offers.get(id) ?? []);
  const lastOffer = Math.max(...offers.map((o) => o.seenAt));
  const cpuUsPerBooking: Record<string, number> = {};
  const cpuPct: Record<string, number> = {};
  let perSecond = NaN;
  if (from && to) {
    const n = to.offered - from.offered;
    const seconds = (to.at - from.at) / 1000;
    perSecond = n / seconds;
    for (const name of Object.keys(pids)) {
      const a = from.cpu[name];
      const b = to.cpu[name];
      if (a === undefined || b === undefined) continue;
      cpuUsPerBooking[name] = ((b - a) / n) * 1e6;
      cpuPct[name] = ((b - a) / seconds) * 100;
    }
  }
  return {
    bookings: opts.count,
    offered: offers.length,
    wave1: offers.filter((o) => o.wave === 1).length,
    perSecond,
    totalS: (lastOffer - startedAt) / 1000,
    cpuUsPerBooking,
    cpuPct,
  };
}
