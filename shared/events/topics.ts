/**
 * The topic catalogue (docs/architecture.md, events and topics). Every aggregate's events share one topic keyed
 * by the aggregate id, so per-aggregate order holds across its whole lifecycle.
 * Each topic has a `<name>.dlq` twin for records that failed N times.
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  retentionMs: number;
  cleanupPolicy: "delete" | "compact";
  /** The field of the event's data that is the record key. */
  keyField: string;
  description: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const TOPICS = {
  driverLocations: "driver.locations",
  driverStatus: "driver.status",
  bookings: "bookings",
  orders: "orders",
  notifications: "notifications",
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

const PRIMARY: TopicSpec[] = [
  {
    name: TOPICS.driverLocations,
    partitions: 12,
    retentionMs: HOUR,
    cleanupPolicy: "delete",
    keyField: "driverId",
    description: "GPS fixes; a record may carry a short batch of one driver's fixes",
  },
  {
    name: TOPICS.driverStatus,
    partitions: 6,
    retentionMs: 7 * DAY,
    cleanupPolicy: "compact",
    keyField: "driverId",
    description: "online / available / busy / offline, vehicle type",
  },
  {
    name: TOPICS.bookings,
    partitions: 6,
    retentionMs: 7 * DAY,
    cleanupPolicy: "delete",
    keyField: "bookingId",
    description: "requested, offered, accepted, accept-rejected, started, completed, cancelled, expired",
  },
  {
    name: TOPICS.orders,
    partitions: 6,
    retentionMs: 7 * DAY,
    cleanupPolicy: "delete",
    keyField: "orderId",
    description: "created, truck-assigned, fulfilled, cancelled",
  },
  {
    name: TOPICS.notifications,
    partitions: 6,
    retentionMs: DAY,
    cleanupPolicy: "delete",
    keyField: "recipientId",
    description: "requested (offer, status change)",
  },
];

/**
 * Replication of every catalogue topic on a cluster: three copies, and a write acked
 * (acks=all) only once two of them hold it, so one broker can die or restart without
 * losing an acked record or stopping writes. A smaller cluster gets what it can hold
 * (replicationFor); the log adapters create topics with it, reading the broker count.
 */
export const REPLICATION = { factor: 3, minInsync: 2 } as const;

/** REPLICATION capped to `brokers`: 1 broker → 1 copy, min ISR 1; 2 → 2 and 1 (writes survive one down); 3 or more → 3 and 2. */
export function replicationFor(brokers: number): { factor: number; minInsync: number } {
  const factor = Math.max(1, Math.min(REPLICATION.factor, brokers));
  return { factor, minInsync: Math.min(REPLICATION.minInsync, Math.max(1, factor - 1)) };
}

export const DLQ_SUFFIX = ".dlq";

export function dlqTopicOf(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}

function dlqSpec(t: TopicSpec): TopicSpec {
  return {
    name: dlqTopicOf(t.name),
    partitions: 1,
    retentionMs: 14 * DAY,
    cleanupPolicy: "delete",
    keyField: t.keyField,
    description: `dead letters of ${t.name}: original record + error, attempts, group, partition, offset`,
  };
}

export const TOPIC_CATALOGUE: readonly TopicSpec[] = [...PRIMARY, ...PRIMARY.map(dlqSpec)];

export function topicSpec(name: string): TopicSpec {
  const spec = TOPIC_CATALOGUE.find((t) => t.name === name);
  if (!spec) throw new Error(`unknown topic "${name}"; known: ${TOPIC_CATALOGUE.map((t) => t.name).join(", ")}`);
  return spec;
}
