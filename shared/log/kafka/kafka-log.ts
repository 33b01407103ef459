/**
 * The EventLog port on Apache Kafka / Redpanda through kafkajs 2.2.4.
 *
 * Where kafkajs and Kafka differ from the port:
 * - kafkajs is unmaintained (frozen at 2.2.4); it is used only inside this folder.
 * - Redelivery after a handler error: the failed chunk is left unresolved, its partition is
 *   paused for the backoff (50 ms doubling to a 5 s cap, jittered) and then resumed, and
 *   kafkajs fetches again from the last resolved offset. The resume is noticed on the next
 *   fetch, so a redelivery comes up to maxWaitTimeMs later than its backoff. Other partitions
 *   keep flowing, but a merely slow handler still holds back the partitions fetched from the
 *   same broker until its batch ends: a kafkajs fetcher waits for every batch of one fetch.
 * - A batch may be delivered twice without any error: a rebalance moves partitions between
 *   members and kafkajs notices it only at a heartbeat or commit (then isActive() turns false).
 *   Commits happen after each handler chunk, so at most one chunk per partition is repeated.
 * - "Offset out of range" (the committed offset was deleted by retention or truncated):
 *   kafkajs has no auto.offset.reset=none; it moves the group to the subscription's
 *   fromBeginning end, i.e. earliest by default (replays, never skips), latest only for
 *   fromBeginning: false, and logs "Offset out of range" at error level through the logger.
 * - Publishing: kafkajs has no linger and would let two concurrent sends to one partition
 *   overtake each other on a retry, so the publisher places records on partitions itself
 *   (murmur2, as Java) and keeps one send in flight per partition, sends to different
 *   partitions concurrent (kafka-publisher.ts). No idempotent producer: a send kafkajs retries
 *   after a lost ack can write a record twice; consumers dedupe by event id. A send spans
 *   several publish() calls; its failure fails them all, except that a non-retriable failure
 *   is retried per call. A record batch to one partition must fit the broker's
 *   message.max.bytes (1 MB default). A publish to a topic that does not exist fails as
 *   retriable once the metadata lookup gives up; run ensureTopics at start-up.
 * - Record timestamps are the broker's append time only on topics created by ensureTopics
 *   (message.timestamp.type=LogAppendTime); elsewhere they are the producer's clock.
 * - resetOffsets joins the idle group for a moment: the brokers take commits only from members.
 * - Under Bun, kafkajs triggers a "TimeoutNegativeWarning" at start-up; it is harmless.
 */
import { Kafka, logLevel } from "kafkajs";
import type { EventLog } from "../event-log.ts";
import { countPartitions, createKafkaAdmin } from "./kafka-admin.ts";
import { type KafkaLogger, kafkajsLogCreator, logToStderr } from "./kafka-logging.ts";
import { createKafkaPublisher } from "./kafka-publisher.ts";
import { createKafkaSubscriber } from "./kafka-subscriber.ts";

export interface KafkaLogOptions {
  brokers: string[];
  clientId: string;
  /** Records queued or in flight before publish() rejects with BackpressureError. Default 20000. */
  maxBufferedRecords?: number;
  /** Most records in one send; that many waiting start a send at once. Default 1000. */
  flushAtRecords?: number;
  /**
   * Longest a published record waits for others to share its send. Default 0: the
   * publishes of the same event-loop turn share a send, and under load a partition's next
   * batch forms anyway while its previous send waits for the ack; a linger only adds
   * itself to every request's latency at light load.
   */
  lingerMs?: number;
  /** A member silent this long is dropped from its group. Default 10000. */
  sessionTimeoutMs?: number;
  /** Default 1000; must be well below sessionTimeoutMs. */
  heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to finish their batch and rejoin. Default 60000. */
  rebalanceTimeoutMs?: number;
  /** Longest an idle fetch waits for data; bounds stop() and redelivery latency. Default 500 (Java's fetch.max.wait.ms). */
  maxWaitTimeMs?: number;
  logger?: KafkaLogger;
}

export async function createKafkaLog(opts: KafkaLogOptions): Promise<EventLog> {
  const logger = opts.logger ?? logToStderr;
  const kafka = new Kafka({
    brokers: opts.brokers,
    clientId: opts.clientId,
    logLevel: logLevel.ERROR,
    logCreator: kafkajsLogCreator(logger),
  });
  const admin = kafka.admin();
  // The publisher sets every record's partition (Kafka's default partitioner, computed once: shared/log/partition.ts).
  const producer = kafka.producer({
    createPartitioner:
      () =>
      ({ message }) =>
        message.partition!,
    allowAutoTopicCreation: false,
  });
  await admin.connect();
  try {
    await producer.connect();
  } catch (err) {
    await admin.disconnect();
    throw err;
  }

  const publisher = createKafkaPublisher(producer, {
    maxBufferedRecords: opts.maxBufferedRecords ?? 20_000,
    flushAtRecords: opts.flushAtRecords ?? 1000,
    lingerMs: opts.lingerMs ?? 0,
    partitionCount: async (topic) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length,
  });
  const subscriber = createKafkaSubscriber({
    kafka,
    logger,
    partitionCount: (topics) => countPartitions(admin, topics),
    settings: {
      sessionTimeoutMs: opts.sessionTimeoutMs ?? 10_000,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 1000,
      rebalanceTimeoutMs: opts.rebalanceTimeoutMs ?? 60_000,
      maxWaitTimeMs: opts.maxWaitTimeMs ?? 500,
    },
  });
  const logAdmin = createKafkaAdmin(kafka, admin);

  let closing: Promise<void> | undefined;
  return {
    kind: "kafka",
    publisher: () => publisher,
    subscriber: () => subscriber,
    admin: () => logAdmin,
    close() {
      closing ??= (async () => {
        // Consumers stop first: their handlers may still publish.
        try {
          await subscriber.close();
        } finally {
          try {
            await publisher.close();
          } finally {
            await logAdmin.close();
          }
        }
      })();
      return closing;
    },
  };
}
