import { BOOKING_GROUP } from "../../workers/booking/booking-handler.ts";
import { type CpuShare, startCpuWindow, watchPeakRss } from "../locations/cpu-meter.ts";
import { type HandlerActivity, handlerActivity, scrapeHandlerTotals } from "../locations/worker-metrics.ts";
import type { BookingLoadPlan, BookingLoadResult } from "./load-plan.ts";
import { runBookingLoadProcess } from "./load-runner.ts";
import type { OfferWatch } from "./offer-watch.ts";
import { type Quantiles, quantiles } from "./quantiles.ts";

export interface LoadRun {
  load: BookingLoadResult;
  /** Over the load client's whole life (warm-up included), per process, % of one core; `othersPct` is what no listed process used (other users of the box). */
  cpu: CpuShare;
  /** Peak resident set per watched process, bytes. */
  peakRss: Record<string, number>;
}

export interface OfferFigures {
  bookings: number;
  offered: number;
  /** Of the offered, how many got their first offer in wave 1 (nearest radius step). */
  wave1: number;
  /** Request sent → booking.offered record stamped by the worker's producer (ms resolution). */
  publishedMs: Quantiles;
  /** Request sent → the record received by a consumer of `bookings`. */
  seenMs: Quantiles;
}

/** One load run against `baseUrl`, with the CPU of `pids` (plus the load client) and the peak RSS of `rssOf` over it. */
export async function measureLoad(
  plan: BookingLoadPlan,
  pids: Record<string, number | undefined>,
  rssOf: Record<string, number>,
): Promise<LoadRun> {
  let endCpu: (() => CpuShare) | undefined;
  const rss = watchPeakRss(rssOf);
  const { result, clientCpuPct } = await runBookingLoadProcess(plan, () => void (endCpu = startCpuWindow(pids)));
  const cpu = endCpu!();
  cpu.processes["load client"] = clientCpuPct;
  // The client is not in the window's list, so its share was counted as "others".
  cpu.othersPct = Math.max(0, cpu.othersPct - clientCpuPct);
  return { load: result, cpu, peakRss: rss.stop() };
}

/** Waits (bounded) for the first offer of every accepted booking of a run, then ranks the delays. */
export async function offerFigures(load: BookingLoadResult, watch: OfferWatch, waitMs: number): Promise<OfferFigures> {
  await watch.waitFor(
    load.bookings.map(([id]) => id),
    waitMs,
  );
  const published: number[] = [];
  const seen: number[] = [];
  let wave1 = 0;
  for (const [id, sentAt] of load.bookings) {
    const offer = watch.offers.get(id);
    if (!offer) continue;
    // The record timestamp has ms resolution and may round below a sub-ms send time.
    published.push(Math.max(0, offer.publishedAt - sentAt));
    seen.push(offer.seenAt - sentAt);
    if (offer.wave === 1) wave1++;
  }
  return { bookings: load.bookings.length, offered: seen.length, wave1, publishedMs: quantiles(published), seenMs: quantiles(seen) };
}

/** The booking worker's handler over a phase (load + waiting for offers), from the workers' /metrics. */
export async function bookingWorkerActivity<T>(
  metricsUrl: string,
  phase: () => Promise<T>,
): Promise<{ value: T; activity: HandlerActivity }> {
  const before = await scrapeHandlerTotals(metricsUrl, BOOKING_GROUP);
  const started = performance.now();
  const value = await phase();
  const after = await scrapeHandlerTotals(metricsUrl, BOOKING_GROUP);
  return { value, activity: handlerActivity(before, after, (performance.now() - started) / 1000) };
}
