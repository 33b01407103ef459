import { TOPICS } from "../shared/events/topics.ts";
import { auditHandler } from "./audit/audit-handler.ts";
import { BOOKING_GROUP, createBookingHandler } from "./booking/booking-handler.ts";
import type { WorkerDeps } from "./deps.ts";
import { createLocationHandler } from "./location/location-handler.ts";
import { createNotifyHandler } from "./notify/notify-handler.ts";
import { createOrderHandler, ORDER_GROUP } from "./order/order-handler.ts";
import type { Handler } from "./runtime/handler.ts";
import type { RetryPolicy } from "./runtime/retry.ts";
import type { WorkerSettings } from "./settings.ts";
import { statusHandler } from "./status/status-handler.ts";
import { createSurgeHandler, SURGE_GROUP } from "./surge/surge-handler.ts";

/** One kind of worker: a consumer group over some topics with one handler. */
export interface WorkerSpec {
  name: string;
  group: string;
  topics: string[];
  /** Called once per started worker: handlers that keep per-process memory get a fresh one each time. */
  createHandler: (settings: WorkerSettings) => Handler<WorkerDeps>;
  maxBatchSize?: number;
  description: string;
  /** Overrides the runtime's default retry policy (5 attempts, 100 ms doubling to 5 s). */
  retry?: Partial<RetryPolicy>;
  /** Its effects include the geo index, so an empty in-process index is rebuilt by replaying its topics. */
  rebuildsGeoIndex?: boolean;
}

/** Every worker `bun workers/main.ts` can run; a process runs the ones named on its command line, or all. */
export const WORKERS: readonly WorkerSpec[] = [
  {
    name: "audit",
    group: "fleet-audit",
    topics: [TOPICS.driverStatus, TOPICS.bookings, TOPICS.orders, TOPICS.notifications],
    createHandler: () => auditHandler,
    maxBatchSize: 500,
    description: "appends every business event to the libSQL audit trail",
  },
  {
    name: "location",
    group: "fleet-location",
    topics: [TOPICS.driverLocations],
    // Caches the trail's newest row and the speed rule's last fixes per driver, so a batch needs no lookup for known drivers.
    createHandler: (s) => createLocationHandler({ maxSpeedKmh: s.maxSpeedKmh, arrivalRadiusM: s.arrivalRadiusM }),
    // Records carry up to a few fixes each: ~1000 records is one GEO call and a few INSERTs.
    maxBatchSize: 1000,
    rebuildsGeoIndex: true,
    description:
      "moves drivers in the geo index (newest fix wins), stores their downsampled trail, and marks assigned drivers arrived at the pickup geofence",
  },
  {
    name: "status",
    group: "fleet-status",
    topics: [TOPICS.driverStatus],
    createHandler: () => statusHandler,
    maxBatchSize: 500,
    rebuildsGeoIndex: true,
    description: "applies drivers' status and vehicle type to the geo index (who can be found nearby)",
  },
  {
    name: "notify",
    // Its own group on its own topic: a slow or dead receiver stalls only this group's
    // partitions, never booking or location processing (tests/notify-isolation.test.ts).
    group: "fleet-notify",
    topics: [TOPICS.notifications],
    // Remembers per Notifier what it delivered, so a retried batch re-sends nothing that arrived.
    createHandler: () => createNotifyHandler(),
    // One batch is at most one round of concurrent requests (the handler serves 32 recipients
    // at once), so a dead receiver costs one timeout per call, well inside Kafka's session timeout.
    maxBatchSize: 32,
    // A receiver's outage often outlasts seconds (a deploy, a restart): ~4 minutes of
    // attempts before a notification is dead-lettered, each wait holding only its partition.
    retry: { maxAttempts: 8, backoff: { baseMs: 1_000, capMs: 60_000 } },
    description: "delivers notification.requested (offers, status changes) through the Notifier: a signed webhook, or the log in dev",
  },
  {
    name: "booking",
    group: BOOKING_GROUP,
    topics: [TOPICS.bookings],
    // Decides a batch with one transaction and concurrent geo searches; 100 events keep a batch well under a second.
    createHandler: (s) => createBookingHandler({ waves: s.waves, staleAfterMs: s.staleAfterMs, trip: s.trip }),
    maxBatchSize: 100,
    description:
      "runs each booking through its state machine: offer waves to nearby drivers, first accept wins, arrival and no-show deadlines, reassignment, the final fare; audit and timers in libSQL (the process also runs its timer loop)",
  },
  {
    name: "surge",
    // Its own group: surge pricing lagging must never hold up matching.
    group: SURGE_GROUP,
    topics: [TOPICS.bookings],
    createHandler: (s) => createSurgeHandler({ surge: s.surge, staleAfterMs: s.staleAfterMs }),
    maxBatchSize: 500,
    description:
      "counts booking requests per H3 cell and vehicle type against available drivers into a smoothed surge multiplier (the process also recomputes active zones on a tick)",
  },
  {
    name: "order",
    group: ORDER_GROUP,
    topics: [TOPICS.orders],
    createHandler: () => createOrderHandler(),
    // An order expands to up to 200 bookings in one transaction: 20 orders keep a batch well under a second.
    maxBatchSize: 20,
    description:
      "expands order.created into one booking.requested per truck (deterministic ids, via the outbox); the booking worker rolls bookings up to their order",
  },
];

export function selectWorkers(names: string[]): WorkerSpec[] {
  if (names.length === 0) return [...WORKERS];
  const unknown = names.filter((n) => !WORKERS.some((w) => w.name === n));
  if (unknown.length) throw new Error(`unknown worker(s): ${unknown.join(", ")}; known: ${WORKERS.map((w) => w.name).join(", ")}`);
  return WORKERS.filter((w) => names.includes(w.name));
}
