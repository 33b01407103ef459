import { BOOKING_REQUESTED } from "../../shared/events/booking.ts";
import { createEnvelope } from "../../shared/events/envelope.ts";
import type { ProducerPerfResult } from "../ceilings/producer-perf.ts";
import type { HandlerActivity } from "../locations/worker-metrics.ts";
import type { BacklogFigures } from "./backlog.ts";
import { REFRESH_EVERY_S } from "./drivers.ts";
import type { LoadRun, OfferFigures } from "./measure.ts";
import { METRO, VEHICLE_MIX } from "./metro.ts";
import type { OrderFigures } from "./orders.ts";
import { quantiles } from "./quantiles.ts";
import type { BookingBenchSettings } from "./settings.ts";
import { WORKER_NAMES } from "./system.ts";

/** The targets of docs/architecture.md, figures. */
const TARGET = {
  bookingP99Ms: 10,
  firstWaveP95Ms: 50,
  orderAcceptP99Ms: 15,
  orderOfferedMs: 1_000,
  acceptShareOfEcho: 0.25,
  backlogPerSecond: 2_000,
} as const;

/** What the real route does beyond the echo (gateway/routes/bookings.ts, shared/log/kafka/kafka-log.ts): where its extra latency can come from. */
const ROUTE_WORK =
  "beyond the echo, each request verifies its bearer token, counts against its rate limit, commits its idempotency row and outbox entry to libSQL (group commit: one transaction per event-loop turn) and waits for the publish (acks=all)";

export interface Figures {
  settings: BookingBenchSettings;
  machine: string;
  services: string;
  fleetSeededS: number;
  refreshed: { sent: number; failed: number };
  echoOpen: LoadRun;
  echoClosed: LoadRun;
  producer: ProducerPerfResult;
  low: LoadRun;
  lowOffers: OfferFigures;
  lowWorker: HandlerActivity;
  open: LoadRun;
  openOffers: OfferFigures;
  openWorker: HandlerActivity;
  closed: LoadRun;
  closedOffers: OfferFigures;
  closedWorker: HandlerActivity;
  orders: OrderFigures;
  backlog?: BacklogFigures;
}

/** Size of one `booking.requested` record value as the gateway publishes it: what ProducerPerformance sends. */
export function bookingRecordBytes(): number {
  const data = {
    bookingId: crypto.randomUUID(),
    customerId: "cust-lq8x2k-open-1234",
    pickup: { lat: 12.971612, lng: 77.594612 },
    dropoff: { lat: 12.93411, lng: 77.61011 },
    vehicleType: "sedan",
    fareEstimate: { amount: 212.5, currency: "INR" },
  };
  return Buffer.byteLength(
    JSON.stringify(
      createEnvelope({
        id: crypto.randomUUID(),
        type: BOOKING_REQUESTED,
        key: data.bookingId,
        data,
        source: "gateway",
        correlationId: crypto.randomUUID(),
      }),
    ),
  );
}

export function formatReport(command: string, f: Figures): string {
  const s = f.settings;
  const cores = "2 shared cores";
  const client = `distinct customer + Idempotency-Key per request, random pickup/dropoff in a ${METRO.radiusM / 1000} km disc (${METRO.name}), ${f.settings.drivers.toLocaleString("en")} available drivers (${[...new Set(VEHICLE_MIX)].join("/")}) each re-reporting 1 fix every ${REFRESH_EVERY_S} s`;
  const open = `open loop ${s.rate} req/s × ${s.openS} s (after ${s.warmupS} s warm-up)`;
  const closed = `closed loop, ${s.connections} connections × ${s.closedS} s`;
  const rows: string[][] = [];

  rows.push([
    "`POST /v1/bookings` → 202",
    `${open}; ${client}; ${cores}`,
    `p99 ≤ ${TARGET.bookingP99Ms} ms`,
    latency(f.open),
    verdict(
      f.open.load.latency.p99,
      TARGET.bookingP99Ms,
      "ms",
      `${ROUTE_WORK} (echo: p99 ${ms(f.echoOpen.load.latency.p99)}); ${limits(f.open)}`,
    ),
  ]);
  rows.push([
    "`POST /v1/bookings` → 202 at max rate",
    `${closed}; same clients; ${cores}`,
    `p99 ≤ ${TARGET.bookingP99Ms} ms`,
    `${rate(f.closed)} = ${pct(f.closed.load.perSecond, f.echoClosed.load.perSecond)} of the echo ceiling; ${latency(f.closed)}`,
    verdict(
      f.closed.load.latency.p99,
      TARGET.bookingP99Ms,
      "ms",
      `${ROUTE_WORK} (echo: p99 ${ms(f.echoClosed.load.latency.p99)}); ${limits(f.closed)}`,
    ),
  ]);
  const share = f.closed.load.perSecond / f.echoClosed.load.perSecond;
  rows.push([
    "booking accept rate, % of the echo",
    `${closed}; gateway CPU per request ≈ ${usPerRequest(f.closed, "gateway")} µs against the echo's ≈ ${usPerRequest(f.echoClosed, "server")} µs (CPU over the load client's life ÷ requests); ${cores}`,
    `≥ ${TARGET.acceptShareOfEcho * 100} %`,
    `${pct(f.closed.load.perSecond, f.echoClosed.load.perSecond)} (${rate(f.closed)} against ${rate(f.echoClosed)})`,
    share >= TARGET.acceptShareOfEcho
      ? `pass; ${limits(f.closed)}`
      : `**miss** (${(TARGET.acceptShareOfEcho / share).toFixed(1)}× short); ${limits(f.closed)}`,
  ]);
  rows.push([
    "booking → first offer wave published",
    `${open}; request sent → \`booking.offered\` record timestamp (worker's producer, ms resolution); ${cores}`,
    `p95 ≤ ${TARGET.firstWaveP95Ms} ms`,
    offers(f.openOffers, "publishedMs"),
    verdict(
      f.openOffers.publishedMs.p95,
      TARGET.firstWaveP95Ms,
      "ms",
      workerLimit(f.openWorker),
      f.openOffers.offered < f.openOffers.bookings,
    ),
  ]);
  rows.push([
    "booking → first offer wave seen by a consumer",
    `same; request sent → record received by a kafkajs consumer of \`bookings\` (own group); ${cores}`,
    `p95 ≤ ${TARGET.firstWaveP95Ms} ms`,
    offers(f.openOffers, "seenMs"),
    verdict(f.openOffers.seenMs.p95, TARGET.firstWaveP95Ms, "ms", workerLimit(f.openWorker), f.openOffers.offered < f.openOffers.bookings),
  ]);
  rows.push([
    "booking → first offer wave published, light load",
    `open loop ${s.lowRate} req/s × ${s.openS} s, before the ${s.rate} req/s run; same clients; request sent → record timestamp; ${cores}`,
    `p95 ≤ ${TARGET.firstWaveP95Ms} ms`,
    offers(f.lowOffers, "publishedMs"),
    verdict(f.lowOffers.publishedMs.p95, TARGET.firstWaveP95Ms, "ms", workerLimit(f.lowWorker), f.lowOffers.offered < f.lowOffers.bookings),
  ]);
  rows.push([
    "booking → first offer wave, under max-rate load",
    `${closed} (more bookings/s than the worker matches: shows the backlog); ${cores}`,
    "— (overload, not a target)",
    offers(f.closedOffers, "publishedMs"),
    `info; ${workerLimit(f.closedWorker)}`,
  ]);
  if (f.backlog) rows.push(backlogRow(f.backlog, s.drivers, cores));
  rows.push(...orderRows(f.orders, cores));
  rows.push([
    "ceiling: Hono + valibot echo of the route",
    `${open}; same body schema, booking id + fare computed, no idempotency store, no publishing; ${cores}`,
    "—",
    latency(f.echoOpen),
    "ceiling",
  ]);
  rows.push([
    "ceiling: Hono + valibot echo of the route",
    `${closed}; as above; ${cores}`,
    "—",
    `${rate(f.echoClosed)}; ${latency(f.echoClosed)}`,
    "ceiling",
  ]);
  const p = f.producer;
  rows.push([
    "ceiling: Kafka ProducerPerformance (Java client, acks=all)",
    `${p.records.toLocaleString("en")} records × ${p.recordBytes} B (a \`booking.requested\` envelope), as fast as it goes, 12 partitions; ${cores}`,
    "—",
    `${Math.round(p.recordsPerSecond).toLocaleString("en")} records/s (${p.mbPerSecond.toFixed(1)} MB/s); latency p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms`,
    "ceiling",
  ]);

  const table = [
    "| Figure | Shape | Target (docs/architecture.md, figures) | Measured | Result |",
    "|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`),
  ].join("\n");
  const cpu = [
    "| Run | Requests/s | CPU, % of one core (over the load client's life, warm-up included) | Other users of the box | Machine busy | Peak RSS |",
    "|---|---|---|---|---|---|",
    ...(
      [
        ["bookings, light open loop", f.low],
        ["bookings, open loop", f.open],
        ["bookings, closed loop", f.closed],
        ["echo, open loop", f.echoOpen],
        ["echo, closed loop", f.echoClosed],
      ] as const
    ).map(
      ([name, run]) =>
        `| ${name} | ${Math.round(run.load.perSecond)} | ${cpuList(run)} | ${run.cpu.othersPct.toFixed(0)} % of a core | ${run.cpu.machineBusyPct.toFixed(0)} % of 2 cores | ${Object.entries(
          run.peakRss,
        )
          .map(([n, b]) => `${n} ${(b / 2 ** 20).toFixed(0)} MB`)
          .join(", ")} |`,
    ),
  ].join("\n");

  return [
    "## Bookings (`bun run bench:bookings`)",
    "",
    `Command: \`${command}\`. Machine: ${f.machine}. Services: ${f.services}. Everything (Kafka, Redis, gateway, workers \`${WORKER_NAMES.join(" ")}\`, load client, offer consumer) runs on the same 2 cores, so every figure below is a co-located figure.`,
    "",
    ...contention(f),
    table,
    "",
    cpu,
    "",
    `Set-up: ${f.settings.drivers.toLocaleString("en")} drivers put on shift through the API (PUT status + POST one fix each) and visible in the geo index in ${f.fleetSeededS.toFixed(1)} s; background fix refreshes during the runs: ${f.refreshed.sent.toLocaleString("en")} accepted, ${f.refreshed.failed} failed.`,
    `Failures: open loop ${failures(f.open)}; closed loop ${failures(f.closed)}. Offers are waited for up to ${f.settings.offerWaitS} s after each run; a booking without one by then counts as not offered.`,
    `Not modelled: drivers never accept; offers stand ${s.offerTtlS} s (BOOKING_OFFER_TTL_S), longer than the run, so no booking reaches a second wave and later waves add no load (with the default 15 s, every unaccepted booking searches again 15, 30 and 45 s later); notify and audit workers are not running (they consume in their own groups, on their own topics, off the booking path).`,
  ].join("\n");
}

/** CPU of `process` per answered request over the run, µs: its share of a core (over the load client's life) ÷ requests/s. */
function usPerRequest(run: LoadRun, process: string): string {
  const share = run.cpu.processes[process];
  return share === undefined ? "–" : Math.round(((share / 100) * 1e6) / run.load.perSecond).toLocaleString("en");
}

function backlogRow(b: BacklogFigures, drivers: number, cores: string): string[] {
  const cpu = Object.entries(b.cpuUsPerBooking)
    .map(([name, us]) => `${name} ${Math.round(us)} µs (${Math.round(b.cpuPct[name] ?? NaN)} % of a core)`)
    .join(", ");
  const rate = `${Math.round(b.perSecond).toLocaleString("en")} bookings/s`;
  return [
    "backlog drained: bookings matched (first wave offered) per second",
    `${b.bookings.toLocaleString("en")} \`booking.requested\` published with the workers stopped, then the workers started; ${drivers.toLocaleString("en")} available drivers in one metro; rate between the 10th and 90th percentile of first offers; ${cores}`,
    `≥ ${TARGET.backlogPerSecond.toLocaleString("en")} bookings/s`,
    `${rate}; ${b.offered.toLocaleString("en")}/${b.bookings.toLocaleString("en")} offered (${Math.round((b.wave1 / Math.max(1, b.offered)) * 100)} % in wave 1), last offer ${b.totalS.toFixed(1)} s after the workers started`,
    `${b.perSecond >= TARGET.backlogPerSecond ? "pass" : `**miss** (${(TARGET.backlogPerSecond / b.perSecond).toFixed(1)}× short)`}; CPU per booking in that window: ${cpu}`,
  ];
}

/** Other users of the box (another benchmark, tests) take CPU from the system under test: say so above the figures. */
function contention(f: Figures): string[] {
  const worst = Math.max(
    f.low.cpu.othersPct,
    f.open.cpu.othersPct,
    f.closed.cpu.othersPct,
    f.echoOpen.cpu.othersPct,
    f.echoClosed.cpu.othersPct,
  );
  if (worst < 20) return [];
  return [
    `**Contended run**: processes outside this benchmark used up to ${worst.toFixed(0)} % of a core during its runs (column "Other users of the box"), so these figures are pessimistic for this machine.`,
    "",
  ];
}

function latency(run: LoadRun): string {
  const q = run.load.latency;
  return `p50 ${ms(q.p50)}, p99 ${ms(q.p99)} (max ${ms(q.max)}) over ${q.count.toLocaleString("en")} requests`;
}

function rate(run: LoadRun): string {
  return `${Math.round(run.load.perSecond).toLocaleString("en")} req/s`;
}

function offers(o: OfferFigures, which: "publishedMs" | "seenMs"): string {
  const q = o[which];
  return `p50 ${ms(q.p50)}, p95 ${ms(q.p95)}, p99 ${ms(q.p99)} (max ${ms(q.max)}); ${o.offered.toLocaleString("en")}/${o.bookings.toLocaleString("en")} offered, ${pct(o.wave1, o.offered)} in wave 1`;
}

function orderRows(o: OrderFigures, cores: string): string[][] {
  const shape = (what: string) => `one order of 50 trucks (${o.measured ? o.orders : "n"} in turn), ${what}; ${cores}`;
  if (!o.measured) {
    return [
      [
        "50-truck order → 202",
        shape("`POST /v1/orders`"),
        `p99 ≤ ${TARGET.orderAcceptP99Ms} ms`,
        `not measured: ${o.reason}`,
        "not measured",
      ],
      [
        "50-truck order → all 50 bookings offered",
        shape("order sent → last booking's first offer seen"),
        `≤ ${TARGET.orderOfferedMs} ms`,
        `not measured: ${o.reason}`,
        "not measured",
      ],
    ];
  }
  const accept = quantiles(o.acceptMs);
  const offered = o.fullyOfferedMs.filter((x) => !Number.isNaN(x));
  const worst = offered.length ? Math.max(...offered) : NaN;
  return [
    [
      "50-truck order → 202",
      shape("`POST /v1/orders`, first thing after seeding (quiet system)"),
      `p99 ≤ ${TARGET.orderAcceptP99Ms} ms`,
      `${o.acceptMs.map(ms).join(", ")}`,
      verdict(accept.max, TARGET.orderAcceptP99Ms, "ms", "too few orders for a p99: the worst is shown"),
    ],
    [
      "50-truck order → all 50 bookings offered",
      shape("order sent → last booking's first offer seen"),
      `≤ ${TARGET.orderOfferedMs} ms`,
      `${o.fullyOfferedMs.map((x) => (Number.isNaN(x) ? "not fully offered" : ms(x))).join(", ")}`,
      verdict(
        worst,
        TARGET.orderOfferedMs,
        "ms",
        "the order worker expands the order, then the booking worker matches its 50 bookings (each a geo search + libSQL transaction, offers published after the batch)",
        o.notFullyOffered > 0,
      ),
    ],
  ];
}

function verdict(measured: number, target: number, unit: string, limit: string, incomplete = false): string {
  if (Number.isNaN(measured)) return "no data";
  if (incomplete) return `**miss**: not every booking was offered; ${limit}`;
  if (measured <= target) return `pass (${((1 - measured / target) * 100).toFixed(0)} % headroom)`;
  return `**miss** by ${(measured - target).toFixed(1)} ${unit} (${(measured / target).toFixed(1)}× the target); ${limit}`;
}

/** Which process had the CPU during a run: on 2 shared cores that is usually what limits it. */
function limits(run: LoadRun): string {
  const top = Object.entries(run.cpu.processes)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3);
  return `machine ${run.cpu.machineBusyPct.toFixed(0)} % busy (other users of the box ${run.cpu.othersPct.toFixed(0)} % of a core); busiest: ${top.map(([n, p]) => `${n} ${p.toFixed(0)} %`).join(", ")} of a core`;
}

/** The booking worker's handler over the phase: when it is busy all the time, offers queue behind it. */
function workerLimit(a: HandlerActivity): string {
  return `booking worker handler busy ${a.busyPct.toFixed(0)} % of the phase, ${a.recordsPerCall.toFixed(0)} events per call, ${a.meanCallMs.toFixed(0)} ms per call (≈ ${(a.meanCallMs / Math.max(1, a.recordsPerCall)).toFixed(1)} ms per event; calls of different partitions overlap, waiting on one libSQL writer, and a call includes publishing its batch's offers)`;
}

function cpuList(run: LoadRun): string {
  return Object.entries(run.cpu.processes)
    .sort((a, b) => b[1] - a[1])
    .map(([n, p]) => `${n} ${p.toFixed(0)}`)
    .join(", ");
}

function failures(run: LoadRun): string {
  const f = Object.entries(run.load.failures);
  return f.length ? f.map(([k, n]) => `${k}×${n}`).join(", ") : "none";
}

function ms(x: number): string {
  return Number.isNaN(x) ? "—" : `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(0)} %` : "—";
}
