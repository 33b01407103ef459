import { parseArgs } from "node:util";

export interface BookingBenchSettings {
  quick: boolean;
  drivers: number;
  /** Open-loop arrival rate, bookings/s. */
  rate: number;
  /** A light open-loop run first: first-wave latency without a queue in front of the booking worker. */
  lowRate: number;
  openS: number;
  /** Closed loop ("max rate") clients. */
  connections: number;
  closedS: number;
  warmupS: number;
  /** How long after the load the bench waits for every booking's first offer. */
  offerWaitS: number;
  /** 50-truck orders sent one after another (when the route exists). */
  orders: number;
  trucksPerOrder: number;
  /** ProducerPerformance records at the booking event's size. */
  producerRecords: number;
  /** Bookings published while the workers are stopped, then drained (0: no backlog run). */
  backlog: number;
  /** How long an offer wave stands (BOOKING_OFFER_TTL_S): longer than the run, so no later wave adds load. */
  offerTtlS: number;
}

export const USAGE =
  "bun bench/bookings/run.ts [--quick] [--drivers 2000] [--rate 200] [--low-rate 20] [--seconds 15] [--connections 32] [--closed-seconds 10] [--warmup 3] [--backlog 20000]";

export function parseSettings(argv: string[]): BookingBenchSettings {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      drivers: { type: "string" },
      rate: { type: "string", default: "200" },
      "low-rate": { type: "string", default: "20" },
      seconds: { type: "string" },
      connections: { type: "string", default: "32" },
      "closed-seconds": { type: "string" },
      warmup: { type: "string" },
      backlog: { type: "string" },
    },
  });
  const quick = values.quick === true;
  const s: BookingBenchSettings = {
    quick,
    drivers: Number(values.drivers ?? (quick ? 500 : 2000)),
    rate: Number(values.rate),
    lowRate: Number(values["low-rate"]),
    openS: Number(values.seconds ?? (quick ? 4 : 15)),
    connections: Number(values.connections),
    closedS: Number(values["closed-seconds"] ?? (quick ? 3 : 10)),
    warmupS: Number(values.warmup ?? (quick ? 1 : 3)),
    offerWaitS: quick ? 15 : 30,
    orders: quick ? 1 : 3,
    trucksPerOrder: 50,
    producerRecords: quick ? 30_000 : 300_000,
    backlog: Number(values.backlog ?? (quick ? 4_000 : 20_000)),
    offerTtlS: 600,
  };
  const minimums = { drivers: 10, rate: 1, lowRate: 1, openS: 1, connections: 1, closedS: 1, warmupS: 0, backlog: 0 } as const;
  const bad = Object.entries(minimums)
    .filter(([k, min]) => !(s[k as keyof typeof minimums] >= min))
    .map(([k]) => k);
  if (bad.length > 0) throw new Error(`invalid ${bad.join(", ")}; usage: ${USAGE}`);
  // Bounded in count as well as time: the load client keeps one result row per booking.
  if (s.rate * s.openS > 100_000) throw new Error("--rate × --seconds must stay ≤ 100,000 bookings");
  return s;
}
