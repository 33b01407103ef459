import type { Quantiles } from "./quantiles.ts";

/** What one load-client process does; passed to it as JSON on its command line. */
export interface BookingLoadPlan {
  baseUrl: string;
  /** Names the customers and keys, so runs and phases never reuse one. */
  label: string;
  /** open: `rate` requests/s on a fixed schedule, latency counted from the scheduled time; closed: `connections` clients back to back. */
  mode: "open" | "closed";
  rate: number;
  connections: number;
  warmupS: number;
  seconds: number;
  seed: number;
  /** Open loop only: requests allowed in flight before the schedule waits (it then catches up; the wait counts as latency). */
  maxInFlight: number;
}

/** One accepted booking of the measured window: [bookingId, epoch ms the request was sent]. */
export type SentBooking = [string, number];

export interface BookingLoadResult {
  label: string;
  mode: BookingLoadPlan["mode"];
  seconds: number;
  sent: number;
  accepted: number;
  /** Requests answered per second in the window (open loop: what the schedule achieved). */
  perSecond: number;
  /** 202 latency, ms. Open loop: from the scheduled send time, so a stalled server shows (no coordinated omission). */
  latency: Quantiles;
  failures: Record<string, number>;
  bookings: SentBooking[];
}
