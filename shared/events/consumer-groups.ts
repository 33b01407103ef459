import { TOPICS } from "./topics.ts";

/** A worker kind's consumer group and the topics it reads, without its handler. */
export interface ConsumerGroupSpec {
  /** The worker's name in `bun workers/main.ts <name…>`. */
  name: string;
  group: string;
  topics: readonly string[];
}

/**
 * Every worker group and its topics, as plain data: the gateway reads their lag for
 * /readyz without importing worker code. workers/catalogue.ts is the source of the
 * running workers; tests/consumer-groups.test.ts fails when the two drift apart.
 */
export const CONSUMER_GROUPS: readonly ConsumerGroupSpec[] = [
  { name: "audit", group: "fleet-audit", topics: [TOPICS.driverStatus, TOPICS.bookings, TOPICS.orders, TOPICS.notifications] },
  { name: "location", group: "fleet-location", topics: [TOPICS.driverLocations] },
  { name: "status", group: "fleet-status", topics: [TOPICS.driverStatus] },
  { name: "notify", group: "fleet-notify", topics: [TOPICS.notifications] },
  { name: "booking", group: "fleet-booking", topics: [TOPICS.bookings] },
  { name: "surge", group: "fleet-surge", topics: [TOPICS.bookings] },
  { name: "order", group: "fleet-order", topics: [TOPICS.orders] },
];
