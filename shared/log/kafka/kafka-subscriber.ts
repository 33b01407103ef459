import type { Kafka } from "kafkajs";
import type { SubscribeOptions, Subscriber, Subscription } from "../event-log.ts";
import { createEachBatch } from "./kafka-each-batch.ts";
import { errorText, type KafkaLogger } from "./kafka-logging.ts";

export interface ConsumerSettings {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  /** Longest a fetch waits for data; also bounds how late stop() and a resumed partition are noticed. */
  maxWaitTimeMs: number;
}

export interface SubscriberDeps {
  kafka: Kafka;
  settings: ConsumerSettings;
  logger: KafkaLogger;
  /** Total partitions of the topics; throws when one does not exist. */
  partitionCount(topics: string[]): Promise<number>;
}

const DEFAULT_MAX_BATCH_SIZE = 500;
const MAX_CONCURRENT_PARTITIONS = 12;

/** One kafkajs consumer (one group member) per subscription. */
export function createKafkaSubscriber(deps: SubscriberDeps): Subscriber {
  const active = new Set<Subscription>();
  let closed = false;

  async function subscribe(opts: SubscribeOptions): Promise<Subscription> {
    if (closed) throw new Error("subscriber is closed");
    const { settings } = deps;
    const consumer = deps.kafka.consumer({
      groupId: opts.group,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      rebalanceTimeout: settings.rebalanceTimeoutMs,
      maxWaitTimeInMs: settings.maxWaitTimeMs,
    });
    const runner = createEachBatch({
      group: opts.group,
      handler: opts.handler,
      maxBatchSize: opts.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      logger: deps.logger,
    });

    let settle!: { resolve: () => void; reject: (err: Error) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // Whoever owns the subscription awaits `done`; this only keeps an unobserved crash from killing the process.
    done.catch(() => {});

    let stopping: Promise<void> | undefined;
    const subscription: Subscription = {
      done,
      stop() {
        stopping ??= (async () => {
          runner.cancelRetries();
          active.delete(subscription);
          await consumer.disconnect();
          settle.resolve();
        })();
        return stopping;
      },
    };

    // restart: true means kafkajs rejoins by itself after a retriable error; restart: false leaves the consumer dead.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      deps.logger(payload.restart ? "warn" : "error", "consumer crashed", {
        group: opts.group,
        restart: payload.restart,
        error: errorText(payload.error),
      });
      if (payload.restart) return;
      runner.cancelRetries();
      active.delete(subscription);
      settle.reject(new Error(`kafka consumer of group "${opts.group}" crashed: ${errorText(payload.error)}`, { cause: payload.error }));
    });

    try {
      const partitions = await deps.partitionCount(opts.topics);
      await consumer.connect();
      // fromBeginning also picks kafkajs's "offset out of range" recovery (it has no auto.offset.reset=none): see kafka-log.ts.
      await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
      await consumer.run({
        eachBatchAutoResolve: false,
        // Threshold 1 makes commitOffsetsIfNecessary() commit every resolved chunk at once.
        autoCommitThreshold: 1,
        partitionsConsumedConcurrently: Math.min(Math.max(partitions, 1), MAX_CONCURRENT_PARTITIONS),
        eachBatch: runner.eachBatch,
      });
    } catch (err) {
      // The subscribe failure is the error worth reporting; a failed cleanup of a half-started consumer adds nothing.
      await consumer.disconnect().catch(() => {});
      throw new Error(`cannot subscribe group "${opts.group}" to ${opts.topics.join(", ")}: ${errorText(err)}`, { cause: err });
    }
    active.add(subscription);
    if (closed) {
      await subscription.stop();
      throw new Error("subscriber was closed while subscribing");
    }
    return subscription;
  }

  return {
    subscribe,
    async close() {
      closed = true;
      await Promise.all([...active].map((s) => s.stop()));
    },
  };
}
