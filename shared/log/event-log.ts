import type { TopicSpec } from "../events/topics.ts";

/**
 * The EventLog port: a partitioned, durable, replayable log (Kafka semantics).
 *
 * Ordering: records with the same key on the same topic land in one partition
 * (murmur2(key) mod partitions, Kafka's default) and are delivered in publish order.
 * Nothing is promised across partitions.
 *
 * Delivery: at-least-once. A group's committed offset moves past a batch only after
 * its handler resolved. If the handler throws, the same batch (from its first record)
 * is delivered again after a backoff, to this or another member of the group: the
 * error's own `retryAfterMs` when it carries one (retryAfterMsOf in shared/errors/errors.ts),
 * the adapter's growing backoff otherwise.
 */

export interface OutgoingRecord {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface DeliveredRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: string;
  headers: Record<string, string>;
  /** Broker append time, ms since epoch. */
  timestamp: number;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  records: DeliveredRecord[];
  /** False once the subscription is stopping or lost the partition: finish quickly, don't start new work. */
  isActive(): boolean;
  /** Keeps group membership alive during long work (no-op where there is no session). */
  heartbeat(): Promise<void>;
}

export type BatchHandler = (batch: RecordBatch) => Promise<void>;

export interface Publisher {
  /** Resolves only once every record is durable (acks=all); rejects with BackpressureError when the buffer is full. */
  publish(records: OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface SubscribeOptions {
  group: string;
  topics: string[];
  handler: BatchHandler;
  /** Where a group with no committed offset starts. Default: earliest (nothing accepted is skipped). */
  fromBeginning?: boolean;
  /** Upper bound on records per handler call. */
  maxBatchSize?: number;
}

export interface Subscription {
  /** Stops fetching, lets the in-flight batch finish and commit, leaves the group. */
  stop(): Promise<void>;
  /** Settles when the subscription ended: resolves on stop(), rejects on a fatal consumer crash. */
  readonly done: Promise<void>;
}

export interface Subscriber {
  subscribe(opts: SubscribeOptions): Promise<Subscription>;
  close(): Promise<void>;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Next offset the group will read; -1 when it has never committed. */
  committed: number;
  /** Offset the next published record will get. */
  end: number;
  lag: number;
}

export type ResetTarget =
  | { to: "earliest" }
  | { to: "latest" }
  | { to: "offset"; offset: number; partition?: number }
  | { to: "timestamp"; timestamp: number };

export interface LogAdmin {
  /** Creates missing topics from the catalogue; existing topics are left as they are. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  /** Committed offset, end offset and lag of a group for each partition of the topics. */
  lag(group: string, topics: string[]): Promise<PartitionLag[]>;
  /** Moves a group's committed offsets. The group must have no active members. */
  resetOffsets(group: string, topic: string, target: ResetTarget): Promise<void>;
  close(): Promise<void>;
}

export interface EventLog {
  readonly kind: "kafka" | "embedded";
  publisher(): Publisher;
  subscriber(): Subscriber;
  admin(): LogAdmin;
  close(): Promise<void>;
}
